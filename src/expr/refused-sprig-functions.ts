/**
 * The sprig functions Skiff does not offer, each with the reason its error (and `skiff lint`)
 * gives. Argo leaves out `env` and `expandenv` (util/expr/env/env.go); `getHostByName` needs the
 * network, which a pure evaluator has not; keys and certificates would put secrets in the run's
 * status, where everyone who can read the run reads them.
 */
const ENVIRONMENT = "Argo leaves it out of expressions too: the controller's environment is not the workflow's";
const KEYS =
  'Skiff does not generate keys or certificates in expressions: the result would be stored in the run status and shown to everyone who can read the run; create them in a step and pass them as a Secret';

export const REFUSED_SPRIG_FUNCTIONS: Readonly<Record<string, string>> = {
  env: ENVIRONMENT,
  expandenv: ENVIRONMENT,
  getHostByName: 'expressions are evaluated without network access, so a DNS lookup cannot run there; resolve the name in a step',
  genPrivateKey: KEYS,
  genCA: KEYS,
  genCAWithKey: KEYS,
  genSelfSignedCert: KEYS,
  genSelfSignedCertWithKey: KEYS,
  genSignedCert: KEYS,
  genSignedCertWithKey: KEYS,
  buildCustomCert: KEYS,
};
