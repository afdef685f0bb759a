// The showcase app: it imports the library by package name, exactly as a user's cdk8s app does.
import { App, Chart } from 'cdk8s';

const app = new App();
new Chart(app, 'egress');
app.synth();
