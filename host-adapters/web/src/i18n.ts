// Language matching and string lookup for the widget and the console; each keeps its own tables.
// The one rule: a language is matched by its primary subtag ("nl", "nl-BE", "NL", "nl_NL" are
// Dutch) among the surface's languages, the first of which (English) takes any other; a key its
// table lacks is taken from English; a placeholder with no value given stays as written ("{key}").
export type Values = Record<string, string | number>;
export type Translate<Key extends string> = (key: Key, values?: Values) => string;

export function matchLanguage<Language extends string>(wanted: string, languages: readonly Language[]): Language {
  const primary = wanted.toLowerCase().split(/[-_]/)[0];
  return languages.find((language) => language === primary) ?? languages[0];
}

export function translatorFor<Key extends string>(
  tables: { en: Record<Key, string> } & Record<string, Partial<Record<Key, string>>>,
  language: string,
): Translate<Key> {
  const table = tables[language] ?? tables.en;
  return (key, values) =>
    (table[key] ?? tables.en[key]).replace(/\{(\w+)\}/g, (whole, name: string) => String(values?.[name] ?? whole));
}
