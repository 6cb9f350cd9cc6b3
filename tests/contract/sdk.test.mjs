// The AI gateway through the official SDKs, as real clients: `openai` against
// /v1/chat/completions, /v1/embeddings and /v1/models, `@anthropic-ai/sdk` against /v1/messages.
// The real `aic serve` routes to aic_mock_provider (tests/support), which answers in OpenAI's,
// Anthropic's and Gemini's wire formats, so every case that names a model per provider kind
// goes through all three codecs. What the mock answers is described in mock_provider.hpp.
//
//   AIC_BINARY_PATH=build/debug/aic AIC_MOCK_PROVIDER_PATH=build/debug/tests/support/aic_mock_provider \
//     node --test sdk.test.mjs                                          (ctest -R sdk)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { pushFault, startListening, stop, writeGatewayConfig } from './processes.mjs';

const binary = process.env.AIC_BINARY_PATH;
const mockBinary = process.env.AIC_MOCK_PROVIDER_PATH;
// A chat model on each provider kind of the mock.
const kChatModels = ['gpt-test', 'claude-test', 'gemini-test'];
const kWeatherTool = {
  type: 'function',
  function: {
    name: 'weather', description: 'Weather now',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let directory;
let server;
let mock;
let openai; // no retries: an error reaches the test as the SDK first sees it
let anthropic;

// The mock's usage counts words: "hello there" in, "mock reply: hello there" out.
const kHelloUsage = { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 };
const counts = ({ prompt_tokens, completion_tokens, total_tokens }) => ({ prompt_tokens, completion_tokens, total_tokens });

before(async () => {
  assert.ok(binary, 'set AIC_BINARY_PATH to the aic binary');
  assert.ok(mockBinary, 'set AIC_MOCK_PROVIDER_PATH to the aic_mock_provider binary');
  directory = mkdtempSync(join(tmpdir(), 'aic-sdk-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AIC_')));
  Object.assign(env, {
    AIC_DATABASE_URL: `sqlite://${join(directory, 'aic.db')}`,
    AIC_LISTEN: '127.0.0.1:0',
    AIC_LOG_LEVEL: 'warn',
    AIC_LOG_ACCESS: 'false',
  });
  const aic = async (...args) => (await promisify(execFile)(binary, args, { env, timeout: 60_000 })).stdout;
  await aic('admin', 'bootstrap', '--json');
  const tenant = JSON.parse(await aic('admin', 'create-tenant', '--name', 'SDK Co', '--plan', 'standard',
                                      '--owner-email', 'owner@sdk.example', '--json'));

  mock = await startListening(mockBinary, [], { stdin: 'pipe' });
  const configFile = join(directory, 'aic.toml');
  writeGatewayConfig(configFile, mock.url);
  server = await startListening(binary, ['-c', configFile, 'serve'], { env });

  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: tenant.owner_api_key, maxRetries: 0, timeout: 20_000 });
  // The gateway reads only `Authorization: Bearer`, which is how this SDK (1.x) sends apiKey
  // (0.x sent x-api-key). authToken: null, so that an ANTHROPIC_AUTH_TOKEN in the environment
  // is not sent instead. The SDK appends /v1/messages itself.
  anthropic = new Anthropic({
    baseURL: server.url, apiKey: tenant.owner_api_key, authToken: null, maxRetries: 0, timeout: 20_000,
  });
});

after(async () => {
  if (server) {
    const code = await stop(server.child);
    assert.equal(code, 0, `aic serve did not drain and exit 0 on SIGTERM:\n${server.output()}`);
  }
  if (mock) await stop(mock.child);
  if (directory) rmSync(directory, { recursive: true, force: true });
});

// What the SDK throws from `promise`, checked to be an instance of `type`.
async function thrown(promise, type) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error?.constructor?.name}: ${error}`);
    return error;
  }
  assert.fail(`expected ${type.name}, got an answer`);
}

// MockProvider::embedding_of: FNV-1a of the UTF-8 text seeds a 64-bit LCG; each value is the
// top 10 bits over 512, minus 1.
function embeddingOf(text, dimensions = 8) {
  const mask = (1n << 64n) - 1n;
  let state = 14695981039346656037n;
  for (const byte of Buffer.from(text, 'utf8')) {
    state = ((state ^ BigInt(byte)) * 1099511628211n) & mask;
  }
  const values = [];
  for (let i = 0; i < dimensions; ++i) {
    state = (state * 6364136223846793005n + 1442695040888963407n) & mask;
    values.push(Number(state >> 54n) / 512 - 1);
  }
  return values;
}

describe('openai SDK', () => {
  for (const model of kChatModels) {
    test(`chat completion through ${model}`, async () => {
      const completion = await openai.chat.completions.create({
        model, messages: [{ role: 'user', content: 'hello there' }],
      });
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.choices[0].message.role, 'assistant');
      assert.equal(completion.choices[0].message.content, 'mock reply: hello there');
      assert.equal(completion.choices[0].finish_reason, 'stop');
      assert.deepEqual(counts(completion.usage), kHelloUsage);
    });

    test(`streamed chat completion through ${model}`, async () => {
      const stream = await openai.chat.completions.create({
        model, messages: [{ role: 'user', content: 'hello there' }],
        stream: true, stream_options: { include_usage: true },
      });
      let content = '';
      let chunks = 0;
      let finishReason;
      let usage;
      for await (const chunk of stream) {
        ++chunks;
        assert.equal(chunk.object, 'chat.completion.chunk');
        for (const choice of chunk.choices) {
          content += choice.delta.content ?? '';
          finishReason = choice.finish_reason ?? finishReason;
        }
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(content, 'mock reply: hello there');
      assert.ok(chunks > 2, `${chunks} chunks`);
      assert.equal(finishReason, 'stop');
      assert.ok(usage, 'no usage chunk');
      assert.deepEqual(counts(usage), kHelloUsage);
    });

    test(`tool call through ${model}`, async () => {
      const request = { model, messages: [{ role: 'user', content: 'CALL_TOOL for the weather' }], tools: [kWeatherTool] };
      const completion = await openai.chat.completions.create(request);
      const choice = completion.choices[0];
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.tool_calls.length, 1);
      const [call] = choice.message.tool_calls;
      assert.equal(typeof call.id, 'string');
      assert.ok(call.id.length > 0);
      assert.equal(call.type, 'function');
      assert.equal(call.function.name, 'weather');
      assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Oslo' });

      // Streamed: the SDK's own accumulator joins the deltas.
      const runner = openai.chat.completions.stream(request);
      const final = await runner.finalChatCompletion();
      assert.equal(final.choices[0].finish_reason, 'tool_calls');
      const [streamed] = final.choices[0].message.tool_calls;
      assert.ok(streamed.id.length > 0);
      assert.equal(streamed.function.name, 'weather');
      assert.deepEqual(JSON.parse(streamed.function.arguments), { city: 'Oslo' });
    });

    test(`response_format json_schema through ${model}`, async () => {
      const request = openai.chat.completions.create({
        model, messages: [{ role: 'user', content: 'answer in JSON' }],
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'answer', strict: true,
            schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false },
          },
        },
      });
      // Anthropic gets it as output_config.format; the mock answers JSON only when asked.
      assert.deepEqual(JSON.parse((await request).choices[0].message.content), { answer: 'mock' });
    });
  }

  test('response_format json_object is refused for Anthropic, naming the member', async () => {
    const error = await thrown(openai.chat.completions.create({
      model: 'claude-test', messages: [{ role: 'user', content: 'answer in JSON' }],
      response_format: { type: 'json_object' },
    }), OpenAI.BadRequestError);
    assert.equal(error.param, 'response_format.type');
    assert.match(error.message, /json_object is not supported by anthropic/);
  });

  test('an unknown model is a NotFoundError', async () => {
    const error = await thrown(openai.chat.completions.create({
      model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }],
    }), OpenAI.NotFoundError);
    assert.equal(error.status, 404);
    assert.equal(error.code, 'model_not_found');
    assert.match(error.message, /^404 .*no-such-model/);
  });

  test('a bad key is an AuthenticationError', async () => {
    const stranger = new OpenAI({ baseURL: openai.baseURL, apiKey: 'not-a-key', maxRetries: 0 });
    const error = await thrown(stranger.models.list(), OpenAI.AuthenticationError);
    assert.equal(error.status, 401);
  });

  test('a bad request is a BadRequestError naming the param', async () => {
    const error = await thrown(openai.chat.completions.create({ model: 'gpt-test', messages: [] }),
                               OpenAI.BadRequestError);
    assert.equal(error.status, 400);
    assert.equal(error.param, 'messages');
    assert.equal(error.type, 'invalid_request_error');
  });

  test("a provider's 429 is a RateLimitError", async () => {
    await pushFault(mock.url, { kind: 'status', status: 429, retry_after: '0' });
    const error = await thrown(openai.chat.completions.create({
      model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }],
    }), OpenAI.RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.type, 'rate_limit_error');
    assert.match(error.message, /rate limit/);
  });

  test('embeddings, base64 (the default) and float', async () => {
    const inputs = ['hello', 'two words', 'grüße'];
    for (const model of ['embed-test', 'gemini-embed']) {
      const expected = inputs.map((input) => embeddingOf(input));
      const decoded = await openai.embeddings.create({ model, input: inputs });
      assert.equal(decoded.object, 'list');
      assert.deepEqual(decoded.data.map((each) => each.index), [0, 1, 2]);
      assert.deepEqual(decoded.data.map((each) => each.embedding), expected, model);
      const floats = await openai.embeddings.create({ model, input: inputs, encoding_format: 'float' });
      assert.deepEqual(floats.data.map((each) => each.embedding), expected, model);
      const one = await openai.embeddings.create({ model, input: 'hello', dimensions: 3 });
      assert.deepEqual(one.data[0].embedding, embeddingOf('hello', 3), model);
    }
    const unknown = await thrown(openai.embeddings.create({ model: 'no-such-model', input: 'x' }),
                                 OpenAI.NotFoundError);
    assert.equal(unknown.status, 404);
    const chatModel = await thrown(openai.embeddings.create({ model: 'gpt-test', input: 'a chat model' }),
                                   OpenAI.BadRequestError);
    assert.equal(chatModel.param, 'model');
  });

  test('models.list', async () => {
    const ids = [];
    for await (const each of openai.models.list()) {
      assert.equal(each.object, 'model');
      ids.push(each.id);
    }
    assert.deepEqual(ids.sort(), ['claude-test', 'embed-test', 'fast', 'gemini-embed', 'gemini-test', 'gpt-test', 'smart']);
  });
});

describe('@anthropic-ai/sdk', () => {
  const kWeather = {
    name: 'weather', description: 'Weather now',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  };

  for (const model of kChatModels) {
    test(`message through ${model}`, async () => {
      const message = await anthropic.messages.create({
        model, max_tokens: 64, messages: [{ role: 'user', content: 'hello there' }],
      });
      assert.equal(message.type, 'message');
      assert.equal(message.role, 'assistant');
      assert.deepEqual(message.content.map(({ type, text }) => ({ type, text })),
                       [{ type: 'text', text: 'mock reply: hello there' }]);
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.usage.input_tokens, 2);
      assert.equal(message.usage.output_tokens, 4);
    });

    test(`streamed message through ${model}`, async () => {
      const stream = anthropic.messages.stream({
        model, max_tokens: 64, messages: [{ role: 'user', content: 'hello there' }],
      });
      let text = '';
      stream.on('text', (delta) => { text += delta; });
      const message = await stream.finalMessage();
      assert.equal(text, 'mock reply: hello there');
      assert.equal(message.content[0].text, 'mock reply: hello there');
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.usage.input_tokens, 2);
      assert.equal(message.usage.output_tokens, 4);
    });
  }

  // output_config.format reaches every provider (the mock answers {"answer":"mock"} only when
  // it received a request for JSON output in its own format).
  for (const model of kChatModels) {
    test(`structured output through ${model}`, async () => {
      const schema = {
        type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'],
        additionalProperties: false,
      };
      const message = await anthropic.messages.create({
        model, max_tokens: 64, messages: [{ role: 'user', content: 'answer in JSON' }],
        output_config: { format: { type: 'json_schema', schema } },
      });
      assert.equal(message.content[0].type, 'text');
      assert.deepEqual(JSON.parse(message.content[0].text), { answer: 'mock' });
    });
  }

  test('a tool_use answer, whole and streamed', async () => {
    const request = {
      model: 'claude-test', max_tokens: 64, tools: [kWeather],
      messages: [{ role: 'user', content: 'CALL_TOOL for the weather' }],
    };
    for (const message of [await anthropic.messages.create(request),
                           await anthropic.messages.stream(request).finalMessage()]) {
      assert.equal(message.stop_reason, 'tool_use');
      const use = message.content.find((block) => block.type === 'tool_use');
      assert.ok(use, JSON.stringify(message.content));
      assert.ok(use.id.length > 0);
      assert.equal(use.name, 'weather');
      assert.deepEqual(use.input, { city: 'Oslo' });
    }
  });

  test('errors', async () => {
    const unknown = await thrown(anthropic.messages.create({
      model: 'no-such-model', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }],
    }), Anthropic.NotFoundError);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.error.type, 'error');
    assert.equal(unknown.error.error.type, 'not_found_error');
    assert.match(unknown.message, /no-such-model/);
    const bad = await thrown(anthropic.messages.create({
      model: 'claude-test', messages: [{ role: 'user', content: 'no max_tokens' }],
    }), Anthropic.BadRequestError);
    assert.equal(bad.status, 400);
    assert.equal(bad.error.error.type, 'invalid_request_error');
  });
});
