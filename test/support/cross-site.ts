/**
 * A clinic's website on another *site* (another registrable domain, not just another port), with
 * both it and the product on https, as in production: one loopback TLS front with a self-signed
 * certificate answers for `sm.test` (proxied to the product) and `clinic.test` (two pages that embed
 * the widget). Chromium reaches both names through `--host-resolver-rules` and ignores the
 * certificate; cookies with `SameSite=None; Secure; Partitioned` then behave as on a real site.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** The two host names; `.test` is reserved (RFC 2606), so they never resolve to anything real. */
export const PRODUCT_HOST = 'sm.test';
export const CLINIC_HOST = 'clinic.test';

/** Chromium flags that send both names to loopback and accept the self-signed certificate. */
export const CROSS_SITE_ARGS = [`--host-resolver-rules=MAP ${PRODUCT_HOST} 127.0.0.1, MAP ${CLINIC_HOST} 127.0.0.1`, '--ignore-certificate-errors'];

/** A self-signed certificate for both names, made with openssl in `dir`. */
export function selfSignedCertificate(dir: string): { key: Buffer; cert: Buffer } {
  const keyFile = path.join(dir, 'tls-key.pem');
  const certFile = path.join(dir, 'tls-cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${PRODUCT_HOST}`, '-addext', `subjectAltName=DNS:${PRODUCT_HOST},DNS:${CLINIC_HOST}`],
    { stdio: 'ignore' },
  );
  return { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) };
}

/** A clinic page embedding the messages widget, with a link to the clinic's other page. */
function clinicPage(productOrigin: string, title: string, other: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<script src="${productOrigin}/widget.js" async></script></head>
<body><main><h1>${title}</h1><nav><a href="${other}">Other page</a></nav><sm-messages clinic="demo"></sm-messages></main></body></html>`;
}

/** The running front. */
export interface CrossSite {
  /** `https://sm.test:<port>`: give it to the product as PUBLIC_URL. */
  productOrigin: string;
  /** `https://clinic.test:<port>`: add it to the clinic's allowed sites. */
  clinicOrigin: string;
  /** Tells the front where the product listens once it runs. */
  setProductPort(port: number): void;
  close(): Promise<void>;
}

/** Starts the TLS front on a free loopback port; `/one` and `/two` are the clinic's pages. */
export async function startCrossSite(dir: string): Promise<CrossSite> {
  let productPort = 0;
  let productOrigin = '';
  const server = https.createServer(selfSignedCertificate(dir), (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    if (host === PRODUCT_HOST) {
      const upstream = http.request({ host: '127.0.0.1', port: productPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
    const pages: Record<string, string> = { '/one': clinicPage(productOrigin, 'Clinic page one', '/two'), '/two': clinicPage(productOrigin, 'Clinic page two', '/one') };
    const page = host === CLINIC_HOST ? pages[req.url ?? ''] : undefined;
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  productOrigin = `https://${PRODUCT_HOST}:${port}`;
  return {
    productOrigin,
    clinicOrigin: `https://${CLINIC_HOST}:${port}`,
    setProductPort: (p) => (productPort = p),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
