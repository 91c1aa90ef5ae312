import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allCommands } from '../commands/index.js';
import { envSchema } from '../src/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const envExample = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');

describe('documentation stays in step with the code', () => {
  it.each(Object.keys(envSchema.shape))('%s is in README and .env.example', (name) => {
    expect(readme).toContain(`\`${name}\``);
    expect(envExample).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it.each(allCommands.map((c) => c.name))('/%s has a row in README', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`/${name}[ \`]`, 'm'));
  });
});
