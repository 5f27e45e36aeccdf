/**
 * Handlebars templates from `templates/`, named after the files they produce.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

/** Folder holding the templates (works from sources and from dist/). */
export function templatesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // generator/ -> ../templates ; dist/generator/ -> ../../templates
  return here.includes(`${join("dist", "generator")}`)
    ? join(here, "..", "..", "templates")
    : join(here, "..", "templates");
}

const hbs = Handlebars.create();
hbs.registerHelper("json", (value: unknown) => JSON.stringify(value));

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** Renders `templates/<name>` with `context`. */
export async function render(name: string, context: Record<string, unknown>): Promise<string> {
  let template = cache.get(name);
  if (!template) {
    const source = await readFile(join(templatesDir(), name), "utf8");
    template = hbs.compile(source, { noEscape: true, strict: true });
    cache.set(name, template);
  }
  return template(context);
}
