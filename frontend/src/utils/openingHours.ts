const DAYS: Record<string, string> = {
  Mo: "lundi",
  Tu: "mardi",
  We: "mercredi",
  Th: "jeudi",
  Fr: "vendredi",
  Sa: "samedi",
  Su: "dimanche",
  PH: "jours fériés",
};

function days(part: string): string {
  return part
    .split(",")
    .map((range) => {
      const [from, to] = range.split("-");
      const start = DAYS[from ?? ""] ?? from ?? "";
      if (!to) return start;
      return `du ${start} au ${DAYS[to] ?? to}`;
    })
    .join(", ");
}

function times(part: string): string {
  if (/^(off|closed)$/i.test(part)) return "fermé";
  return part
    .split(",")
    .map((range) => range.replace("-", " – ").replace(/:/g, "h"))
    .join(" et ");
}

/**
 * Readable French lines from an OSM opening_hours value ("Mo-Fr 09:00-12:00,14:00-17:00; Sa off").
 * Unknown syntax is kept as written rather than guessed.
 */
export function openingHoursLines(value: string | null | undefined): string[] {
  if (!value?.trim()) return [];
  if (value.trim() === "24/7") return ["Tous les jours, 24 h sur 24"];
  return value
    .split(";")
    .map((rule) => rule.trim())
    .filter(Boolean)
    .map((rule) => {
      const match = /^((?:Mo|Tu|We|Th|Fr|Sa|Su|PH)(?:[-,](?:Mo|Tu|We|Th|Fr|Sa|Su|PH))*)\s+(.+)$/.exec(rule);
      if (!match?.[1] || !match[2] || !/^(off|closed|[\d:,\s-]+)$/i.test(match[2])) return rule;
      const label = days(match[1]);
      return `${label.charAt(0).toUpperCase()}${label.slice(1)} : ${times(match[2].replace(/\s/g, ""))}`;
    });
}
