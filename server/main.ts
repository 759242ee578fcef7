/** `npm start`: validates the configuration, starts the product and prints where to find it. */
import { ConfigError, loadConfig } from './config.js';
import { startProduct } from './product.js';
import { DEMO_SLUG } from './demo-seed.js';

try {
  const config = loadConfig();
  const product = await startProduct(config);
  const lines = [
    '',
    'Secure Messaging is running.',
    `  Admin:         ${product.publicUrl}/admin/`,
    `  Embed loader:  ${product.publicUrl}/widget.js`,
    `  API docs:      ${product.publicUrl}/api/docs   (OpenAPI: ${product.publicUrl}/api/openapi.json)`,
    `  Health:        ${product.publicUrl}/health`,
  ];
  if (product.demoUrl) {
    lines.push(`  Demo clinic website (second origin): ${product.demoUrl}/   (French: ${product.demoUrl}/fr/)`);
    lines.push(`  Demo patient portal (installable):   ${product.publicUrl}/p/${DEMO_SLUG}`);
  }
  if (product.demoLogins) {
    lines.push('', 'Demo staff sign-ins (new random passwords at every start):');
    for (const l of product.demoLogins) lines.push(`  ${l.role.padEnd(10)} ${l.email.padEnd(24)} ${l.password}`);
    lines.push('Demo patient: alex.tremblay@example.com, date of birth 1984-03-09; the sign-in code arrives by e-mail.');
  }
  lines.push('', ...product.notes.map((n) => `Note: ${n}`), '');
  console.log(lines.join('\n'));
  const stop = async () => {
    await product.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(2);
  }
  const code = (err as { code?: string; port?: number }).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    console.error(`Cannot listen on port ${(err as { port?: number }).port}: ${code === 'EADDRINUSE' ? 'it is already in use' : 'permission denied'}. Set PORT (and DEMO_PORT) to free ports.`);
    process.exit(2);
  }
  throw err;
}
