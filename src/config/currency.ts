/**
 * ISO 4217 codes whose minor unit is not two decimals (zero: JPY, KRW, ...; three: BHD, KWD,
 * ...; four: CLF, UYW), and the codes with no minor unit at all (metals, funds, testing). Every
 * amount the shop handles is NUMERIC(12,2), so only two-decimal currencies fit it exactly.
 */
const NOT_TWO_DECIMALS = new Set(
  (
    'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF ' +
    'BHD IQD JOD KWD LYD OMR TND CLF UYW ' +
    'XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX'
  ).split(' '),
);

/** The currencies this runtime knows as ISO 4217 (ICU's list of current codes). */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 code (capitals) whose minor unit is a cent: a hundredth of the major unit. */
export const isTwoDecimalCurrency = (code: string): boolean =>
  /^[A-Z]{3}$/.test(code) && ISO_4217.has(code) && !NOT_TWO_DECIMALS.has(code);
