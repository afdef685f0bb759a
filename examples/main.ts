// `cdk8s synth` runs this: the kubectl manifests into dist/, the istioctl input into dist-istioctl/.
import { exampleApp, istioctlApp } from './app';

exampleApp().synth();
istioctlApp().synth();
