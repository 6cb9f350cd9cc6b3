// The programs the Node tests talk to: `aic serve` and aic_mock_provider (the mock model
// provider of tests/support), each started on port 0 and found by the "listening on URL" line
// it prints; and the AI gateway catalogue that points `aic serve` at the mock.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

// Starts `binary args…` and resolves once it printed "listening on http://127.0.0.1:PORT":
// { child, url, output() } where output() is everything it printed so far. Rejects when it
// exits first or says nothing within 30 s. stdin 'pipe' keeps a stdin open that closes when
// this process ends (aic_mock_provider then ends too).
export function startListening(binary, args, { env, stdin = 'ignore' } = {}) {
  let output = '';
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: [stdin, 'pipe', 'pipe'] });
    const timer = setTimeout(() => reject(new Error(`${binary}: no "listening on" within 30 s:\n${output}`)),
                             30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited with ${code}:\n${output}`));
    });
  });
}

// Sends SIGTERM and resolves with the exit code, or 'timeout' (after a SIGKILL) when the
// process took longer than 30 s.
export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.removeAllListeners('exit'); // the start-up listener rejects a settled promise
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), 30_000); });
  const code = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (code === 'timeout') child.kill('SIGKILL');
  return code;
}

// Queues a fault in the mock for its next request (POST /__mock/faults, see mock_provider.hpp):
// e.g. { kind: 'status', status: 429, retry_after: '0' }.
export async function pushFault(mockUrl, fault) {
  const answer = await fetch(`${mockUrl}/__mock/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
  });
  if (answer.status !== 204) throw new Error(`mock refused the fault: ${answer.status} ${await answer.text()}`);
}

// Writes an aic config file whose AI gateway has one provider account of each wire format on
// the mock, a chat model on each, two embedding models, an alias and a route. One attempt
// per target, so a provider's 429 reaches the client at once.
export function writeGatewayConfig(file, mockUrl) {
  writeFileSync(file, `[ai]
max_attempts = 1

[[ai.providers]]
name = "oa"
kind = "openai"
base_url = "${mockUrl}/v1"
api_key = "sk-upstream"

[[ai.providers]]
name = "an"
kind = "anthropic"
base_url = "${mockUrl}/v1"
api_key = "sk-ant"

[[ai.providers]]
name = "gm"
kind = "gemini"
base_url = "${mockUrl}/v1beta"
api_key = "gm-key"

[[ai.models]]
name = "gpt-test"
provider = "oa"
upstream_model = "gpt-upstream"
aliases = ["fast"]
input_price = 1.0
output_price = 2.0

[[ai.models]]
name = "claude-test"
provider = "an"
upstream_model = "claude-upstream"

[[ai.models]]
name = "gemini-test"
provider = "gm"
upstream_model = "gemini-upstream"

[[ai.models]]
name = "embed-test"
provider = "oa"
type = "embeddings"
input_price = 0.1

[[ai.models]]
name = "gemini-embed"
provider = "gm"
upstream_model = "text-embedding-004"
type = "embeddings"

[[ai.routes]]
name = "smart"
strategy = "fallback"
targets = ["gpt-test", "claude-test", "gemini-test"]
`);
}
