// Vérifie que src/api/schema.d.ts correspond à src/api/openapi.json (sinon : npm run api:generate).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "node_modules", "openapi-typescript", "bin", "cli.js");
const committed = join(root, "src", "api", "schema.d.ts");
const dir = mkdtempSync(join(tmpdir(), "maillage-api-"));
const fresh = join(dir, "schema.d.ts");

try {
  execFileSync(process.execPath, [cli, join(root, "src", "api", "openapi.json"), "-o", fresh], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  let current = "";
  try {
    current = readFileSync(committed, "utf-8");
  } catch {
    current = "";
  }
  if (current !== readFileSync(fresh, "utf-8")) {
    console.error(
      "Erreur : src/api/schema.d.ts n'est plus à jour par rapport à src/api/openapi.json.\n" +
        "Lancez « npm run api:generate » dans frontend/ puis validez le fichier régénéré.",
    );
    process.exitCode = 1;
  } else {
    console.log("Types de l'API à jour (src/api/schema.d.ts).");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
