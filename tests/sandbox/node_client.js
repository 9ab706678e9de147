// Runs CleverTap's official Node client (the npm package `clevertap`) against the sandbox: the
// scenario named by the first argument (`lifecycle` or `example`), one call after another, then
// prints one JSON object: each call's name and the answer the client resolved with.
// tests/sandbox/test_node_client.py runs it and checks every answer.
//
// From the environment: CLEVERTAP_MODULE (the installed package's folder), SANDBOX_API (the
// sandbox's base URL, ending in /1), CLEVERTAP_ACCOUNT_ID, CLEVERTAP_PASSCODE, LATER (a `when`
// days ahead), LIST_FROM and LIST_TO (YYYYMMDD days around it), IDENTITY (a known user).
"use strict";

const CleverTap = require(process.env.CLEVERTAP_MODULE);

// CleverTap allows 3 targets/create.json calls a second, estimates included; the client has no
// pacing of its own.
const CREATE_SPACING_MS = 400;

const PUSH = {
  name: "Node client push",
  target_mode: "push",
  where: {},
  when: "now",
  content: { title: "Hello from Node", body: "Sent by CleverTap's own client" },
  devices: ["android", "ios"],
};

// The client's own example body: its README's and test/push_test.js's (the test suite's copy,
// whose Android block names the notification channel CleverTap requires). Like every example the
// client ships, it has no target_mode.
function clientExample() {
  return {
    name: "green freedom",
    when: "now",
    where: { event_name: "App Launched", from: 20210101, to: 20210701 },
    content: {
      title: "Hello!",
      body: "Strictly Green Lantern fans only!",
      platform_specific: {
        ios: {
          deep_link: "judepereira.com",
          sound_file: "judepereira.wav",
          category: "reactive",
          badge_count: 1,
          foo: "bar_ios",
        },
        android: {
          background_image: "http://judepereira.com/a.jpg",
          default_sound: true,
          deep_link: "judepereira.com",
          foo: "bar_android",
          wzrk_cid: "BRTesting",
        },
      },
    },
    devices: ["android", "ios"],
  };
}

function connect(passcode) {
  const client = CleverTap.init(
    process.env.CLEVERTAP_ACCOUNT_ID,
    passcode,
    CleverTap.REGIONS.EUROPE,
  );
  // The client has no host option and reads no environment variable: its constructor builds
  // https://<region>.api.clevertap.com/1 into `api.apiEndpoint`, and every call is that base URL
  // plus the endpoint's path. Only that base URL is replaced.
  client.api.apiEndpoint = process.env.SANDBOX_API;
  return client;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A `targets` call's answer. The client rejects a call its own checks refuse (it never reaches
// the server): the answer is then what it said, so that one refusal does not hide the rest.
function targets(client, action, payload) {
  return client
    .targets(action, payload)
    .catch((error) => ({ refused_by_client: String(error) }));
}

// An API campaign's life, each call as CleverTap documents it.
async function lifecycle(clevertap) {
  const range = { from: Number(process.env.LIST_FROM), to: Number(process.env.LIST_TO) };
  const answers = {};
  answers.estimate = await targets(clevertap, clevertap.TARGET_ESTIMATE, { ...PUSH });
  await pause(CREATE_SPACING_MS);
  answers.create = await targets(clevertap, clevertap.TARGET_CREATE, {
    ...PUSH,
    when: process.env.LATER,
  });
  const id = answers.create.id;
  answers.list = await targets(clevertap, clevertap.TARGET_LIST, range);
  answers.result_before_completion = await targets(clevertap, clevertap.TARGET_RESULT, { id });
  answers.stop = await targets(clevertap, clevertap.TARGET_STOP, { id });
  answers.stop_again = await targets(clevertap, clevertap.TARGET_STOP, { id });
  answers.list_after_stop = await targets(clevertap, clevertap.TARGET_LIST, range);

  await pause(CREATE_SPACING_MS);
  answers.create_now = await targets(clevertap, clevertap.TARGET_CREATE, { ...PUSH });
  // Completed by the time it is asked about (the test shortens the sandbox's run).
  answers.result_completed = await targets(clevertap, clevertap.TARGET_RESULT, {
    id: answers.create_now.id,
  });

  // The client has no call for the send API (send/<channel>.json): its own transport (`_call`,
  // which every public call goes through: the same headers and base URL) sends it.
  answers.send_by_identity = await new Promise((resolve) =>
    clevertap.api._call(
      "send/push.json",
      {
        method: "POST",
        data: { to: { Identity: [process.env.IDENTITY] }, content: PUSH.content },
      },
      resolve,
    ),
  );

  await pause(CREATE_SPACING_MS);
  answers.invalid_body = await targets(clevertap, clevertap.TARGET_CREATE, {
    ...PUSH,
    respect_frequency_caps: "no",
  });

  const stranger = connect(`${process.env.CLEVERTAP_PASSCODE}-wrong`);
  answers.wrong_passcode = await targets(stranger, clevertap.TARGET_LIST, range);
  return answers;
}

// The client's own example, estimated then created, as its README and test suite call it.
async function example(clevertap) {
  const answers = {};
  answers.estimate = await targets(clevertap, clevertap.TARGET_ESTIMATE, clientExample());
  await pause(CREATE_SPACING_MS);
  answers.create = await targets(clevertap, clevertap.TARGET_CREATE, clientExample());
  return answers;
}

const SCENARIOS = { lifecycle, example };

async function main() {
  const scenario = SCENARIOS[process.argv[2]];
  if (!scenario) {
    throw new Error(`Name a scenario: ${Object.keys(SCENARIOS).join(" or ")}`);
  }
  const answers = await scenario(connect(process.env.CLEVERTAP_PASSCODE));
  process.stdout.write(JSON.stringify(answers));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
