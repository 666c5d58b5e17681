import type { Config } from '../config.ts';
import { startServer } from '../server/main.ts';

export async function serveCommand(config: Config): Promise<number> {
  const { url } = await startServer(config);
  process.stdout.write(`ROR prêt : ${url}/fhir (santé : ${url}/health)\n`);
  await new Promise(() => undefined); // runs until a signal stops it
  return 0;
}
