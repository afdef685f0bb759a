import { present, record, text } from '../values';
import { RuleContext } from './rule-context';

/**
 * TLS settings shared by several kinds: istiod's `validateTLSOptions` (server side: Gateway servers, Sidecar ingress)
 * and `agent.ValidateTLS` (client side: DestinationRule traffic policies). Internal.
 */
export class TlsSettings {
  /** Server TLS (`ServerTLSSettings`). */
  public static validateServer(ctx: RuleContext, tlsValue: unknown, path: string, rulePrefix: string): void {
    const tls = record(tlsValue);
    const mode = text(tls.mode) || 'PASSTHROUGH';
    const ciphers: string[] = Array.isArray(tls.cipherSuites) ? tls.cipherSuites.map(text) : [];
    if ((tls.minProtocolVersion === 'TLSV1_0' || tls.minProtocolVersion === 'TLSV1_1') && ciphers.length === 0) {
      ctx.report.warning(`${path}.minProtocolVersion`, `${rulePrefix}-TLS-CIPHERS`,
        'TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers');
    }
    const seen = new Set<string>();
    for (const cipher of ciphers) {
      if (!isValidCipherSuite(cipher)) {
        ctx.report.warning(`${path}.cipherSuites`, `${rulePrefix}-TLS-CIPHERS`, `ignoring invalid cipher suite ${JSON.stringify(cipher)}`);
      } else if (seen.has(cipher)) {
        ctx.report.warning(`${path}.cipherSuites`, `${rulePrefix}-TLS-CIPHERS`, `ignoring duplicate cipher suite ${JSON.stringify(cipher)}`);
      }
      seen.add(cipher);
    }

    if (mode === 'ISTIO_MUTUAL') {
      for (const field of ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName', 'credentialNames', 'tlsCertificates']) {
        if (present(tls[field])) {
          ctx.report.error(`${path}.${field}`, `${rulePrefix}-ISTIO-MUTUAL-CERTS`,
            `ISTIO_MUTUAL TLS cannot have an associated ${field}: istiod provides the mesh certificates; remove ${field} or use mode MUTUAL`);
        }
      }
      return;
    }
    if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') {
      if (['caCrl', 'serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].some(f => present(tls[f]))) {
        ctx.report.warning(path, `${rulePrefix}-TLS-PASSTHROUGH-CERTS`, `${mode} mode does not use certificates, they will be ignored`);
      }
    }
    const terminating = mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL';
    const fromSecret = present(tls.credentialName) || present(tls.credentialNames) || present(tls.tlsCertificates);
    if (terminating && !fromSecret) {
      if (!present(tls.serverCertificate) || !present(tls.privateKey)) {
        ctx.report.error(path, `${rulePrefix}-TLS-CERT-MISSING`,
          `${mode === 'SIMPLE' ? 'SIMPLE' : 'MUTUAL'} TLS requires a server certificate and private key: set credentialName `
          + '(a Secret in the gateway\'s namespace), credentialNames, tlsCertificates, or serverCertificate and privateKey');
      }
      if (mode !== 'SIMPLE' && !present(tls.caCertificates)) {
        ctx.report.error(`${path}.caCertificates`, `${rulePrefix}-TLS-CERT-MISSING`,
          'MUTUAL TLS requires a client CA bundle: set caCertificates, or use credentialName (its Secret carries ca.crt)');
      }
    }
    if (present(tls.caCrl)) {
      if (present(tls.credentialName)) {
        ctx.report.error(`${path}.caCrl`, `${rulePrefix}-TLS-CA-CRL`,
          'CRL is not supported with credentialName; put the CRL in the credential Secret (ca.crl)');
      }
      if (mode === 'SIMPLE') {
        ctx.report.error(`${path}.caCrl`, `${rulePrefix}-TLS-CA-CRL`, 'CRL is not supported with SIMPLE TLS; it only applies to client certificates');
      }
    }
  }

  /** Client TLS (`ClientTLSSettings`) of a DestinationRule traffic policy. */
  public static validateClient(ctx: RuleContext, tlsValue: unknown, path: string): void {
    if (tlsValue === undefined || tlsValue === null) return;
    const tls = record(tlsValue);
    const mode = text(tls.mode) || 'DISABLE';
    if (tls.insecureSkipVerify === true) {
      if (mode === 'SIMPLE' && (present(tls.caCertificates) || present(tls.credentialName) || tls.subjectAltNames !== undefined)) {
        ctx.report.error(path, 'IST-DR-TLS',
          'cannot specify caCertificates, credentialName or subjectAltNames when insecureSkipVerify is true; drop insecureSkipVerify to verify the server');
      }
      if (mode === 'MUTUAL' && (present(tls.caCertificates) || tls.subjectAltNames !== undefined)) {
        ctx.report.error(path, 'IST-DR-TLS', 'cannot specify caCertificates or subjectAltNames when insecureSkipVerify is true');
      }
    }
    if ((mode === 'SIMPLE' || mode === 'MUTUAL') && present(tls.credentialName)) {
      const extra = ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl'].filter(f => present(tls[f]));
      if (extra.length > 0) {
        ctx.report.error(path, 'IST-DR-TLS',
          `cannot specify client certificates or CA certificate or CA CRL if credentialName is set (found ${extra.join(', ')}): `
          + 'the credential Secret supplies them');
      }
      return;
    }
    if (mode === 'MUTUAL') {
      for (const field of ['clientCertificate', 'privateKey']) {
        if (!present(tls[field])) {
          ctx.report.error(`${path}.${field}`, 'IST-DR-TLS',
            `${field === 'clientCertificate' ? 'client certificate' : 'private key'} required for mutual tls: set ${field}, or credentialName`);
        }
      }
    }
  }
}

const VALID_CIPHER_SUITES = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA',
  'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'AES256-SHA', 'DES-CBC3-SHA',
]);

/** istio `security.IsValidCipherSuite`: known names, `ALL`, or expressions starting with an operator. */
function isValidCipherSuite(cipher: string): boolean {
  if (cipher === '' || cipher === 'ALL') return true;
  if (!/^[\p{L}\p{N}]/u.test(cipher)) return true;
  return VALID_CIPHER_SUITES.has(cipher);
}
