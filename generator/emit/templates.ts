/**
 * Handlebars templates from `templates/`, named after the files they produce.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Handlebars from "handlebars";
import { packagePath } from "../paths.js";

/** Folder holding the templates (works from sources and from dist/). */
export function templatesDir(): string {
  return packagePath("templates");
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
