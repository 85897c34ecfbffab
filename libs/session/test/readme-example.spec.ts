import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const libraryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = join(libraryRoot, '..', '..');

/** The first TypeScript block under the README's "Quickstart" heading. */
function quickstartExample(): string {
  const readme = readFileSync(join(libraryRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quickstart'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no ```ts block under "## Quickstart"');
  return match[1];
}

describe('the README quickstart', () => {
  it('compiles under the strict settings of this repository', () => {
    // Inside the repository, so 'nest-redis-session' and its peers resolve as in a user's app.
    const dir = mkdtempSync(join(libraryRoot, 'test', '.readme-'));
    try {
      const file = join(dir, 'quickstart.ts');
      writeFileSync(file, quickstartExample());
      const config = ts.getParsedCommandLineOfConfigFile(
        join(repositoryRoot, 'tsconfig.json'),
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
            throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
          },
        },
      );
      const options = { ...config!.options, noEmit: true, types: ['node'] };
      const program = ts.createProgram([file], options);
      const messages = ts
        .getPreEmitDiagnostics(program)
        .map(
          (d) =>
            `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      expect(messages).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
