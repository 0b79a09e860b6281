import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname, extname } from 'node:path';

export interface NodeChildSpec {
  /** Script to run: a .js file, or a .ts file when the caller itself runs from TypeScript sources (jest). */
  script: string;
  args: readonly string[];
  /** Flags for the node binary itself, placed before the script. */
  nodeFlags?: readonly string[];
  logFile: string;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeChild {
  readonly pid: number | undefined;
  readonly exited: Promise<ChildExit>;
  /** What this run of the child has written to its log so far (earlier runs appended to the same file are skipped). */
  output(): string;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs: number): Promise<ChildExit>;
}

/**
 * ts-jest compiles test code in memory, so when this module is loaded from src/*.ts there is no .js
 * for the child to run. The child then registers a minimal .ts loader (transpile-only, like ts-jest
 * with isolatedModules) before requiring the script. Built code (dist/) never takes this path.
 */
function tsBootstrap(): string {
  const typescript = JSON.stringify(require.resolve('typescript'));
  return [
    `const ts = require(${typescript});`,
    `const fs = require('fs');`,
    `require.extensions['.ts'] = (module, filename) => {`,
    `  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };`,
    `  const output = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions: options });`,
    `  module._compile(output.outputText, filename);`,
    `};`,
    `require(process.argv[1]);`,
  ].join('\n');
}

function nodeArgs(spec: NodeChildSpec): string[] {
  const entry = extname(spec.script) === '.ts' ? ['-e', tsBootstrap(), spec.script] : [spec.script];
  return [...(spec.nodeFlags ?? []), ...entry, ...spec.args];
}

/**
 * Starts `node <script>` with stdout/stderr appended to spec.logFile. The child stays in our process
 * group (not detached): a Ctrl+C in the terminal reaches it directly, while a SIGKILL of this process
 * leaves it running with its data intact.
 */
export function spawnNodeChild(spec: NodeChildSpec): NodeChild {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  let outputStart: number;
  try {
    const args = nodeArgs(spec);
    const printable = args.map((arg) => (arg.includes('\n') ? '<ts loader>' : arg)).join(' ');
    writeSync(log, `\n--- ${new Date().toISOString()} starting: node ${printable}\n`);
    outputStart = fstatSync(log).size;
    child = spawn(process.execPath, args, { stdio: ['ignore', log, log], windowsHide: true });
  } finally {
    // The child holds its own duplicate of the descriptor.
    closeSync(log);
  }
  const spawned = child;
  const exited = new Promise<ChildExit>((resolve) => {
    spawned.once('exit', (code, signal) => resolve({ code, signal }));
    // 'error' without 'exit' happens when the binary cannot be started at all.
    spawned.once('error', () => resolve({ code: null, signal: null }));
  });
  let finished: ChildExit | undefined;
  void exited.then((result) => (finished = result));

  return {
    pid: spawned.pid,
    exited,
    output(): string {
      const fd = openSync(spec.logFile, 'r');
      try {
        const buffer = Buffer.alloc(Math.max(0, fstatSync(fd).size - outputStart));
        const length = readSync(fd, buffer, 0, buffer.length, outputStart);
        return buffer.subarray(0, length).toString('utf8');
      } finally {
        closeSync(fd);
      }
    },
    async stop(graceMs: number): Promise<ChildExit> {
      if (finished) return finished;
      spawned.kill('SIGTERM');
      const timer = setTimeout(() => spawned.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
