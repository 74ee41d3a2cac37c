export {
  generateSecret,
  newMessageId,
  SecretFormatError,
  signatureHeader,
  webhookHeaders,
  type SignedMessage,
} from './signing.ts';
