// The floor of a consumer's cold start: a cdk8s app with one object and no construct library.
import { ApiObject, App, Chart } from 'cdk8s';

const app = new App();
const chart = new Chart(app, 'bare', { namespace: 'egress-config' });
new ApiObject(chart, 'config', {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'bare' },
  data: { purpose: 'cold-start floor' },
});
app.synth();
