/** A JSON (or multipart) request to an app in a test, answered as `{ status, text, body }`. */
export function caller(app: () => { request(path: string, init: RequestInit): Response | Promise<Response> }) {
  return async (method: string, path: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = 'application/json';
    const response = await app().request(path, { method, headers, ...(body === undefined ? {} : { body: body instanceof FormData ? body : JSON.stringify(body) }) });
    const text = await response.text();
    let parsed: any = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: response.status, text, body: parsed };
  };
}
