import { resolve } from 'node:path';
import { spawnNodeChild, type NodeChild } from './child-process';
import {
  DEFAULT_LAKE_CONTAINER,
  DEFAULT_PORTS,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_STATE_DIR,
  LOCAL_HOST,
  STOP_GRACE_MS,
} from './constants';
import { EMULATORS, logFileFor, type EmulatorDefinition, type EmulatorPort } from './emulators';
import { delay, isListening } from './net';
import { endpointsFor, settingsFor } from './settings';
import { resolveStrictCosmosOptions } from './strict-cosmos/options';
import type { EmulatorExit, EmulatorStatus, LocalStack, LocalStackOptions, LocalStackPorts } from './types';

type Reuse = 'never' | 'when-listening';

interface Started {
  definition: EmulatorDefinition;
  child: NodeChild;
  logFile: string;
}

export function resolvePorts(ports: Partial<LocalStackPorts> | undefined): LocalStackPorts {
  return { ...DEFAULT_PORTS, ...ports };
}

function portLabel(port: EmulatorPort): string {
  return `${port.service} on ${LOCAL_HOST}:${port.port}`;
}

function lastLines(text: string, lines = 15): string {
  const trimmed = text.trimEnd();
  return trimmed ? trimmed.split('\n').slice(-lines).join('\n') : '(no output)';
}

/** Decides per emulator whether to reuse it or start it; mixed states are refused rather than guessed at. */
async function plan(definition: EmulatorDefinition, ports: LocalStackPorts, reuse: Reuse): Promise<'start' | 'reuse'> {
  const wanted = definition.ports(ports);
  const listening = await Promise.all(wanted.map((p) => isListening(p.port)));
  const busy = wanted.filter((_, i) => listening[i]);
  if (busy.length === 0) return 'start';
  if (reuse === 'when-listening' && busy.length === wanted.length) return 'reuse';
  const hint =
    reuse === 'never'
      ? 'Stop whatever is using it, pick other ports, or use ensureLocalStack() to reuse a running stack.'
      : `Only part of ${definition.name} is up, so it can be neither reused nor started.`;
  throw new Error(`Cannot start ${definition.name}: ${busy.map(portLabel).join(', ')} already in use. ${hint}`);
}

/** Ready means: our process is alive, has logged its ready line, and every one of its ports accepts connections. */
async function waitUntilReady(started: Started, ports: LocalStackPorts, deadline: number): Promise<void> {
  const wanted = started.definition.ports(ports);
  let exit: EmulatorExit | undefined;
  void started.child.exited.then(({ code, signal }) => {
    exit = { name: started.definition.name, code, signal, logFile: started.logFile };
  });
  for (;;) {
    const listening = await Promise.all(wanted.map((p) => isListening(p.port, LOCAL_HOST, 500)));
    const output = started.child.output();
    if (!exit && started.definition.ready.test(output) && listening.every(Boolean)) return;
    const failure = exit
      ? `exited during startup (code ${exit.code}, signal ${exit.signal})`
      : Date.now() > deadline
        ? `did not become ready in time (${wanted.map((p, i) => `${portLabel(p)} ${listening[i] ? 'open' : 'closed'}`).join(', ')})`
        : undefined;
    if (failure) {
      throw new Error(
        `${started.definition.name} ${failure}. Log: ${started.logFile}\n--- output ---\n${lastLines(output)}`,
      );
    }
    await delay(100);
  }
}

async function launch(options: LocalStackOptions, reuse: Reuse): Promise<LocalStack> {
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const ports = resolvePorts(options.ports);
  const quiet = options.quiet ?? true;
  const cosmos = resolveStrictCosmosOptions(options.cosmos);
  const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);

  const decisions = await Promise.all(EMULATORS.map((definition) => plan(definition, ports, reuse)));
  const started: Started[] = [];
  const stopStarted = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.child.stop(STOP_GRACE_MS)));
  };
  try {
    EMULATORS.forEach((definition, i) => {
      if (decisions[i] === 'reuse') return;
      const spec = definition.child({ stateDir, ports, quiet, lakeFromUrl: options.lakeFromUrl ?? true, cosmos });
      started.push({ definition, child: spawnNodeChild(spec), logFile: spec.logFile });
    });
    await Promise.all(started.map((s) => waitUntilReady(s, ports, deadline)));
  } catch (error) {
    // Leave nothing half-started behind: the caller has no handle to stop it with.
    await stopStarted();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const unexpectedExit = new Promise<EmulatorExit>((resolveExit) => {
    for (const s of started) {
      void s.child.exited.then(({ code, signal }) => {
        if (!stopping) resolveExit({ name: s.definition.name, code, signal, logFile: s.logFile });
      });
    }
  });

  const emulators: EmulatorStatus[] = EMULATORS.map((definition) => {
    const own = started.find((s) => s.definition === definition);
    return {
      name: definition.name,
      ports: definition.ports(ports).map((p) => p.port),
      logFile: own?.logFile ?? logFileFor(stateDir, definition.name),
      startedHere: own !== undefined,
      pid: own?.child.pid,
    };
  });
  const endpoints = endpointsFor(ports);
  return {
    stateDir,
    ports,
    endpoints,
    settings: settingsFor(endpoints, options.lakeContainer ?? DEFAULT_LAKE_CONTAINER),
    emulators,
    unexpectedExit,
    stop: () => (stopping ??= stopStarted()),
  };
}

/**
 * Starts Azurite, s3rver and the Cosmos DB server as child processes with state under `stateDir`,
 * and resolves once every port accepts connections. Fails if any port is already taken.
 */
export function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return launch(options, 'never');
}

/**
 * Like startLocalStack, but emulators already listening on their configured ports (say, a running
 * `npm start`) are reused instead of started twice; stop() then leaves those alone.
 */
export function ensureLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return launch(options, 'when-listening');
}
