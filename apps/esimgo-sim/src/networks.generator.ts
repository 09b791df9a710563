/**
 * eSIM Go's country network data (GET /networks): which mobile networks an eSIM attaches to in each country, with
 * their MCC/MNC, TADIG and speeds. The countries most tests and demos use carry their real operators; every other
 * country gets one to three generated ones, from a generator seeded apart from the catalogue's so adding networks
 * never moved a bundle's price.
 */
import { COUNTRIES, createRng, type CatalogueCountry } from './catalogue.generator';

export interface CountryNetwork {
  /** Network (operator) name, e.g. "Orange" */
  name: string;
  /** The brand the traveller sees on the phone */
  brandName: string;
  mcc: string;
  mnc: string;
  /** TADIG code of the network */
  tagid: string;
  speed: string[];
}

export interface CountryNetworks {
  name: string;
  iso: string;
  networks: CountryNetwork[];
}

type Known = [name: string, mcc: string, mnc: string, speed: string[]];

const KNOWN: Record<string, Known[]> = {
  FR: [['Orange', '208', '01', ['4G', '5G']], ['SFR', '208', '10', ['4G', '5G']], ['Bouygues Telecom', '208', '20', ['4G', '5G']]],
  DE: [['Telekom', '262', '01', ['4G', '5G']], ['Vodafone', '262', '02', ['4G', '5G']], ['O2', '262', '03', ['4G']]],
  GB: [['EE', '234', '30', ['4G', '5G']], ['Vodafone', '234', '15', ['4G', '5G']], ['Three', '234', '20', ['4G', '5G']], ['O2', '234', '10', ['4G']]],
  ES: [['Movistar', '214', '07', ['4G', '5G']], ['Vodafone', '214', '01', ['4G', '5G']], ['Orange', '214', '03', ['4G']]],
  IT: [['TIM', '222', '01', ['4G', '5G']], ['Vodafone', '222', '10', ['4G', '5G']], ['WindTre', '222', '88', ['4G']]],
  US: [['AT&T', '310', '410', ['4G', '5G']], ['T-Mobile', '310', '260', ['4G', '5G']]],
  JP: [['NTT Docomo', '440', '10', ['4G', '5G']], ['SoftBank', '440', '20', ['4G', '5G']], ['KDDI', '440', '51', ['4G']]],
  IM: [['Manx Telecom', '234', '58', ['4G']], ['Sure', '234', '36', ['4G']]],
};

function tadig(iso: string, name: string): string {
  const letters = name.toUpperCase().replace(/[^A-Z]/g, '').padEnd(2, 'X').slice(0, 2);
  return `${iso.toUpperCase().slice(0, 2)}${iso === 'GB' ? 'R' : 'A'}${letters}`;
}

function generated(country: CatalogueCountry, index: number, seed: number): CountryNetwork[] {
  const rng = createRng((seed * 7919) ^ (index * 104_729) ^ 0x6e657477);
  const count = 1 + Math.floor(rng() * 3);
  const mcc = String(200 + ((index * 37) % 600)).padStart(3, '0');
  return Array.from({ length: count }, (_, i) => {
    const name = `${country.name} Mobile ${String.fromCharCode(65 + i)}`;
    return {
      name,
      brandName: name,
      mcc,
      mnc: String(1 + i * 10 + Math.floor(rng() * 9)).padStart(2, '0'),
      tagid: tadig(country.iso, `M${String.fromCharCode(65 + i)}`),
      speed: rng() < 0.4 ? ['4G', '5G'] : ['4G'],
    };
  });
}

/** Every country of the catalogue with its networks; the same seed always yields the same list. */
export function generateCountryNetworks(seed: number): CountryNetworks[] {
  return COUNTRIES.map((country, index) => ({
    name: country.name,
    iso: country.iso,
    networks: KNOWN[country.iso]
      ? KNOWN[country.iso]!.map(([name, mcc, mnc, speed]) => ({ name, brandName: name, mcc, mnc, tagid: tadig(country.iso, name), speed: [...speed] }))
      : generated(country, index, seed),
  }));
}
