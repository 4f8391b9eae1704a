export * from './conflicts';
export { LdifSyntaxError, parseLdif, serializeLdif } from './ldif';
export type { LdifAttribute, LdifEntry } from './ldif';
export { parseXml, serializeElement, serializeXml, XmlSyntaxError } from './xml';
export type { XmlAttribute, XmlComment, XmlDocument, XmlElement, XmlNode, XmlText } from './xml';
export {
  appendElement,
  childElements,
  cloneDocument,
  ensureElement,
  findElement,
  findElements,
  getAttribute,
  removeAttribute,
  removeElement,
  setAttribute,
  setTextContent,
  textContent,
} from './xml-nodes';
export { DomainXmlError, normalizeMac, readDomain, readDomainSettings, setDomainSettings } from './domain-xml';
export type { DomainDisk, DomainInterface, DomainPatch, DomainSettings } from './domain-xml';
export { formatBytes, parseSize } from './units';
export { checkValue, VALUE_HINTS } from './values';
