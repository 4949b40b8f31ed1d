// Atende's chat on any site: <script src="https://atende.example.com/widget.js" data-tenant="segurozinho" async></script>
// A round button opens the chat page in a panel (an iframe of Atende's own origin, so the site's
// styles and scripts never touch it); data-title, data-color and data-position adjust it.
(() => {
  const script = document.currentScript;
  if (!script || window.__atendeWidget) return;
  window.__atendeWidget = true;
  const origin = new URL(script.src, location.href).origin;
  const tenant = script.dataset.tenant || '';
  const title = script.dataset.title || 'Atendimento';
  const color = /^#[0-9a-f]{3,8}$/i.test(script.dataset.color || '') ? script.dataset.color : '#0f766e';
  const left = script.dataset.position === 'left';

  const host = document.createElement('div');
  host.id = 'atende-widget';
  const root = host.attachShadow({ mode: 'open' });
  const side = left ? 'left' : 'right';
  root.innerHTML = `
    <style>
      :host { all: initial; }
      button.open { position: fixed; bottom: 20px; ${side}: 20px; width: 60px; height: 60px; border-radius: 50%; border: 0; background: ${color};
        color: #fff; box-shadow: 0 4px 14px #0004; cursor: pointer; z-index: 2147483000; display: grid; place-items: center; }
      button.open:focus-visible { outline: 3px solid #f59e0b; outline-offset: 3px; }
      .panel { position: fixed; bottom: 92px; ${side}: 20px; width: 380px; height: min(620px, calc(100vh - 120px)); border-radius: 14px; overflow: hidden;
        box-shadow: 0 8px 30px #0005; z-index: 2147483000; background: #fff; display: none; }
      .panel.shown { display: block; }
      iframe { border: 0; width: 100%; height: 100%; }
      @media (max-width: 480px) { .panel { inset: 0; width: 100vw; height: 100dvh; border-radius: 0; bottom: 0; } .panel.shown + button.open { display: none; } }
      .close { position: absolute; top: 8px; right: 8px; display: none; }
      @media (max-width: 480px) { .close { display: block; background: #0006; color: #fff; border: 0; border-radius: 6px; padding: 4px 10px; font: 14px system-ui; z-index: 1; } }
    </style>
    <div class="panel" role="dialog" aria-label="${title.replace(/[<>"&]/g, '')}">
      <button class="close" type="button" aria-label="Fechar atendimento">Fechar</button>
    </div>
    <button class="open" type="button" aria-label="Abrir ${title.replace(/[<>"&]/g, '')}" aria-expanded="false">
      <svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M4 4h16v12H8l-4 4z"/></svg>
    </button>`;
  const panel = root.querySelector('.panel');
  const open = root.querySelector('button.open');
  let frame = null;
  function toggle(show) {
    if (show && !frame) {
      // the chat loads on the first open only: a visitor who never opens it costs nothing
      frame = document.createElement('iframe');
      frame.title = title;
      frame.src = `${origin}/?embed=1${tenant ? `&tenant=${encodeURIComponent(tenant)}` : ''}&channel=widget`;
      panel.append(frame);
    }
    panel.classList.toggle('shown', show);
    open.setAttribute('aria-expanded', String(show));
    open.setAttribute('aria-label', `${show ? 'Fechar' : 'Abrir'} ${title}`);
  }
  open.addEventListener('click', () => toggle(!panel.classList.contains('shown')));
  root.querySelector('.close').addEventListener('click', () => toggle(false));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && panel.classList.contains('shown')) toggle(false);
  });
  (document.body || document.documentElement).append(host);
})();
