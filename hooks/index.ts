export {
  generateSecret,
  newMessageId,
  SecretFormatError,
  signatureHeader,
  webhookHeaders,
  type SignedMessage,
} from './signing.ts';
export {
  blockedReason,
  BlockedTargetError,
  checkTarget,
  parseAllowList,
  type AllowList,
  type CheckedTarget,
  type Lookup,
} from './ssrf.ts';
