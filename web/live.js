// The tenant's event stream (GET /api/v2/events/dashboard) for the staff pages. Read with fetch,
// which can send the token (EventSource cannot); a dropped stream reconnects with Last-Event-ID,
// so nothing is missed. `onEvent` gets each event ({ type, event, data }), `onState` true/false
// as the stream connects and drops.
window.atendeLive = function atendeLive(getToken, onEvent, onState) {
  let lastId = null;
  (async () => {
    for (let delay = 1000; ; delay = Math.min(delay * 2, 30000)) {
      const token = getToken();
      if (token) {
        try {
          const headers = { authorization: 'Bearer ' + token };
          if (lastId) headers['last-event-id'] = lastId;
          const response = await fetch('/api/v2/events/dashboard', { headers });
          if (response.ok && response.body) {
            onState(true);
            delay = 1000;
            const reader = response.body.getReader();
            const decoder = new TextDecoder();
            let buffer = '';
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              buffer += decoder.decode(value, { stream: true });
              let end;
              while ((end = buffer.indexOf('\n\n')) >= 0) {
                const block = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                const id = /^id: ?(.*)$/m.exec(block);
                if (id) lastId = id[1];
                const data = /^data: ?(.+)$/m.exec(block);
                if (data && !/^event: ?ping/m.test(block)) {
                  try { onEvent(JSON.parse(data[1])); } catch { /* not ours */ }
                }
              }
            }
          }
        } catch { /* reconnect below */ }
        onState(false);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  })();
};
