// `cdk8s synth` runs this: the kubectl manifests into dist/, the istioctl input into dist-istioctl/, and the egress
// inventory (egress-inventory.json, .md, .mmd) beside the manifests it describes.
import { exampleApp, istioctlApp } from './app';
import { EgressInventory } from 'cdk8s-istio-gateways';

const app = exampleApp();
app.synth();
EgressInventory.of(app).writeTo(app.outdir);
istioctlApp().synth();
