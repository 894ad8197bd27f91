/// Detect: personal data and protective markings in extracted text (DOMAIN.md §1–2).
///
/// ``Validators`` hold the checks that turn a pattern's candidate into a value: NINO prefix rules, the NHS
/// modulus 11, Luhn with issuer prefixes, IBAN modulus 97, postcode shapes, driving-licence structure,
/// proper IPv4/IPv6 parsing. Patterns and context words come from `rules/` as data; the engine that runs
/// them in one pass over the text is the next piece of this module.
public enum Detect {}
