// The renderer's Content-Security-Policy, one string for both the Electron app:// protocol and headless
// mode: no eval, no inline scripts or styles (React's style props and pdf.js's constructed stylesheets are
// CSSOM, which style-src does not govern); pdf.js's worker is a same-origin file.
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
