import { cdk8s, javascript, JsonFile, YamlFile } from 'projen';

// jsii 6 prints a large end-of-life banner on Node 20; it is noise in every task log.
const QUIET_JSII = { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' };

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-istio-gateways',
  description:
    'cdk8s constructs that make an Istio egress gateway the only, monitored way out of the cluster, '
    + 'and an ingress gateway the way in: typed, validated at synth time, secure by default.',
  author: 'cdk8s-istio-gateways maintainers',
  authorAddress: 'maintainers@users.noreply.b-seed-9b4b8631.example',
  repositoryUrl: 'https://github.com/maintainers/cdk8s-istio-gateways.git',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  keywords: ['cdk8s', 'istio', 'egress', 'service-mesh', 'kubernetes'],

  jsiiVersion: '~6.0.0',
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.4.2',
  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  // The validator ships inside the package (jsii libraries bundle their runtime dependencies).
  bundledDeps: ['ajv@^8.20.0', 'ipaddr.js@^2.5.0', 'ajv-formats@^3.0.1', '@bufbuild/cel@0.6.1', '@bufbuild/protobuf@^2.6.2', 'yaml@^2.9.1'],
  devDeps: ['cdk8s-cli@^2.207.60', 'fast-check@^4.10.2', '@prometheus-io/lezer-promql@^0.315.0', 'mermaid@~11.17.2', 'jsdom@^27.0.0', '@lezer/common@^1.2.0'],

  // The generated Istio classes live in a top-level imports/ beside src/, so the compiler root is the repo.
  tsconfig: {
    compilerOptions: { rootDir: '.' },
    include: ['src/**/*.ts', 'imports/**/*.ts'],
  },

  jestOptions: {
    // Never rewrite snapshots as a side effect of running the tests: drift must fail.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/examples/'],
      // The bench keeps a packaged copy of the library there; jest must not see a second cdk8s-istio-gateways.
      modulePathIgnorePatterns: ['<rootDir>/bench/.cache/'],
      // Tests that build the example app run it against the sources, not a possibly stale build.
      moduleNameMapper: { '^cdk8s-istio-gateways$': '<rootDir>/src' },
      coveragePathIgnorePatterns: ['/node_modules/', '/imports/'],
      coverageReporters: ['text-summary', 'lcov'],
    },
  },

  // Lint fails the build instead of rewriting sources during it.
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'projenrc', 'examples', 'bench'], commandOptions: { fix: false } },

  github: false,
  release: false,
  docgen: true,
  npmignoreEnabled: true,
});

// A top-level imports/ moves the compiled entry point under lib/src/.
project.package.addField('main', 'lib/src/index.js');
project.package.addField('types', 'lib/src/index.d.ts');
project.addExcludeFromCleanup('imports/**');
// Benchmarks and the example app are for this repo, not for the published package.
project.npmignore?.exclude('/bench/', '/examples/');

// The egress inventory of manifest files, as a command of the package (issue 16).
project.addBins({ 'cdk8s-istio-inventory': 'lib/src/report/inventory-cli.js' });

// This registry lacks unrs-resolver 1.13.x's non-Linux optional bindings, which breaks `npm ci`.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Names reserved in Python, Java, C# or Go fail the build (projen silences them by default), like every other jsii
// warning: the assembly must stay translatable even though only the npm package is built here.
project.compileTask.reset('jsii --fail-on-warnings');
project.tasks.tryFind('watch')?.reset('jsii -w --fail-on-warnings');

for (const name of ['compile', 'docgen', 'test', 'package:js']) {
  project.tasks.tryFind(name)?.env('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', QUIET_JSII.JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION);
}

// Typed Istio classes from the pinned CRDs. Runs only when ../shared is present; its output is committed.
project.addTask('import', {
  description: 'Generate imports/ (typed Istio classes and the validation schema bundle) from ../shared/crds',
  exec: 'ts-node --project projenrc/tsconfig.json projenrc/import-crds.ts',
});

// The example app consumes the built library by package name, the way a user's app does.
const exampleDir = 'examples';
new JsonFile(project, `${exampleDir}/tsconfig.json`, {
  obj: {
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
    },
    include: ['*.ts', 'consumer/*.ts'],
  },
});
// The example's cdk8s.yaml, with the validation plugin at this package's own version (a local plugin's version must
// be exact: the CLI loads it, it does not install it).
new YamlFile(project, `${exampleDir}/cdk8s.yaml`, {
  obj: {
    language: 'typescript',
    app: 'npx ts-node main.ts',
    validations: [{
      package: './node_modules/cdk8s-istio-gateways',
      version: project.package.manifest.version ?? '0.0.0',
      class: 'IstioValidationPlugin',
      properties: { rootNamespace: 'istio-system' },
    }],
  },
});
// Install the package into the app's node_modules the way npm would lay it out: its package.json and its compiled
// lib/ (linked, so a rebuild is seen at once); cdk8s itself resolves from the root. Never a link to the repository
// itself: jsii-docgen globs the whole tree for .jsii files, follows links, and would loop until out of memory.
const installed = `${exampleDir}/node_modules/cdk8s-istio-gateways`;
const exampleLink = project.addTask('example:link', {
  description: 'Make examples/ resolve cdk8s-istio-gateways to this package\'s build, as an installed dependency',
  exec: `rm -rf ${installed} && mkdir -p ${installed} && cp package.json ${installed}/ && ln -s ../../../lib ${installed}/lib`,
});
const exampleSynth = project.addTask('example:synth', {
  description: 'Synthesize examples/ against the compiled library in lib/ (run `example` from a fresh clone)',
  env: QUIET_JSII,
  steps: [
    { spawn: exampleLink.name },
    { exec: 'cdk8s synth --no-check-upgrade', cwd: exampleDir },
    { say: `manifests written to ${exampleDir}/dist/ (kubectl apply) and ${exampleDir}/dist-istioctl/ (istioctl install -f)` },
  ],
});
project.addTask('example', {
  description: 'The main job: compile the library, then synthesize the example app into examples/dist/',
  steps: [{ spawn: 'compile' }, { spawn: exampleSynth.name }],
});
project.gitignore.exclude(`/${exampleDir}/dist/`, `/${exampleDir}/dist-istioctl/`, `/${exampleDir}/node_modules/`);

// The test task: type-check the tests (ts-jest does not fail on type errors in every setup), run jest, synth the example.
const testTask = project.tasks.tryFind('test')!;
testTask.prependExec('tsc --noEmit -p test/tsconfig.json');
// Lint resolves the example's import of the package through the link.
testTask.prependSpawn(exampleLink);
testTask.spawn(exampleSynth);
// Issue 18: a user's app outside this repository, from the packed tarball, synthesized by the real CLI with the plugin.
testTask.spawn(project.addTask('test:consumer', {
  description: 'Install the packed tarball into a fresh cdk8s app, synthesize it with the validation plugin, fail on any finding',
  env: QUIET_JSII,
  exec: 'bash examples/consumer/run.sh',
}));

// Issue 7: synth cost against the raw-ApiObject floor, output size against the Istio docs, validation throughput,
// cold start. Prints a table and writes bench/RESULTS.md; figures, never timed tests.
project.addTask('bench', {
  description: 'Benchmarks: synth vs the ApiObject floor, output size vs the Istio docs, validation speed, cold start (writes bench/RESULTS.md)',
  env: QUIET_JSII,
  exec: 'ts-node --project bench/tsconfig.json bench/index.ts',
  receiveArgs: true,
});

project.synth();
