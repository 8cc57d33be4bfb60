/**
 * Config files and environment overrides for any command.
 *
 * `--config FILE` (or CLUSTERD_CONFIG) names a YAML mapping whose keys are the command's long
 * option names as written on the command line (`agent-ttl: 5s`); a repeatable option takes a
 * list. Every option can also come from CLUSTERD_<OPTION> (CLUSTERD_AGENT_TTL; a repeatable
 * option's items separated by commas). Precedence:
 * command-line flag > environment > config file > built-in default.
 *
 * The accepted keys are built from the command's own option list, so a new option is allowed in
 * config files without touching this module, and every value goes through the option's own
 * argument parser (the one its flag uses): a bad file is refused at start, naming the file and
 * the key, before the command does anything.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { ClusterError, errorMessage } from '../core/errors.js';
import { parseYaml } from '../client/yaml.js';

export const configEnv = 'CLUSTERD_CONFIG';

/**
 * Makes `cmd` configurable: CLUSTERD_* variables for the options declared so far, `--config`,
 * and reading the file before the action runs. Call it after declaring the options.
 */
export function withConfigFile(cmd: Command): Command {
  // Commander wires an option's variable only when the option is added, so for the options
  // declared before this call `.env()` only names the variable in --help; applyEnvironment reads it.
  for (const option of configurableOptions(cmd)) option.env(envVarOf(option));
  cmd.addOption(new Option('--config <file>', 'read options from this YAML file (keys are the option names above); flags and environment variables win over it').env(configEnv));
  cmd.hook('preAction', () => {
    applyEnvironment(cmd, process.env);
    const file = cmd.getOptionValue('config') as string | undefined;
    if (file) applyConfigFile(cmd, file);
  });
  return cmd;
}

/** A value no flag set yet: unset, or still the built-in default. */
function unsetByUser(cmd: Command, option: Option): boolean {
  const source = cmd.getOptionValueSource(option.attributeName());
  return source === undefined || source === 'default';
}

/**
 * Sets every option whose CLUSTERD_<OPTION> variable is set and no flag gave, through the
 * option's parser; a repeatable option's variable holds its items separated by commas. Bad
 * values are refused together, each naming its variable.
 */
export function applyEnvironment(cmd: Command, env: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  for (const option of configurableOptions(cmd)) {
    const name = envVarOf(option);
    const text = env[name];
    if (text === undefined || !unsetByUser(cmd, option)) continue;
    const parsed = valueSchema(option).safeParse(envValue(option, text));
    if (parsed.success) cmd.setOptionValueWithSource(option.attributeName(), parsed.data, 'env');
    else problems.push(...parsed.error.issues.map((issue) => `${name}: ${issue.message}`));
  }
  if (problems.length > 0) throw new ClusterError('INVALID_ARGUMENT', problems.join('\n'));
}

/** A variable's text as a config file would hold it: a list split at commas, a switch as a boolean. */
function envValue(option: Option, text: string): unknown {
  if (isSwitch(option)) return ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[text] ?? text;
  if (isList(option)) return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  return text;
}

const isSwitch = (option: Option) => !option.required && !option.optional;
const isList = (option: Option) => option.variadic || Array.isArray(option.defaultValue);

/** The options a config file may set: every long option but --config itself. */
export function configurableOptions(cmd: Command): Option[] {
  return cmd.options.filter((option) => option.long !== undefined && option.long !== '--config');
}

/** The option's key in a config file: its long name without dashes, e.g. `agent-ttl`. */
export function configKeyOf(option: Option): string {
  return option.long!.replace(/^--/, '');
}

/** CLUSTERD_ and the option name upper-cased with dashes as underscores: CLUSTERD_AGENT_TTL. */
export function envVarOf(option: Option): string {
  return `CLUSTERD_${configKeyOf(option).toUpperCase().replaceAll('-', '_')}`;
}

/** Sets every option FILE names that no flag or variable set (those win over the file). */
export function applyConfigFile(cmd: Command, file: string): void {
  const values = loadConfigFile(cmd, file);
  for (const option of configurableOptions(cmd)) {
    if (values.has(option) && unsetByUser(cmd, option)) cmd.setOptionValueWithSource(option.attributeName(), values.get(option), 'config');
  }
}

/** Reads and checks FILE against `cmd`'s options: each value already through its option's parser. */
export function loadConfigFile(cmd: Command, file: string): Map<Option, unknown> {
  const doc = readYaml(file) ?? {}; // a file of comments only sets nothing
  const options = configurableOptions(cmd);
  const schema = z.strictObject(Object.fromEntries(options.map((option) => [configKeyOf(option), valueSchema(option).optional()])));
  const parsed = schema.safeParse(doc, { reportInput: true }); // input: to say what was there instead
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((issue) => describeIssue(issue, cmd));
    throw new ClusterError('INVALID_ARGUMENT', lines.map((line) => `${file}: ${line}`).join('\n'));
  }
  const byKey = parsed.data as Record<string, unknown>;
  return new Map(options.filter((option) => byKey[configKeyOf(option)] !== undefined).map((option) => [option, byKey[configKeyOf(option)]]));
}

const typeError = (expected: string) => (issue: { input?: unknown }) => `give ${expected}, not ${describeValue(issue.input)}`;

/** What the file may hold for `option`, checked and converted by the option's own parser. */
function valueSchema(option: Option): z.ZodType {
  if (isSwitch(option)) {
    return z.boolean({ error: typeError('true or false') }).transform((on) => (option.negate ? !on : on));
  }
  // Numbers are written as on the command line: `agent-ttl: 5` is "5" (seconds).
  const text = z.union([z.string(), z.number()], { error: typeError('a string or a number') }).transform(String);
  if (isList(option)) {
    return z.array(text, { error: typeError('a list, e.g. [a, b]') }).transform((items, ctx) => {
      // As commander folds repeated flags: a custom parser from the default, else a fresh list.
      let value: unknown = option.parseArg ? option.defaultValue : [];
      items.forEach((item, index) => {
        try {
          value = option.parseArg ? option.parseArg(item, value) : [...(value as string[]), item];
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: errorMessage(err), path: [index] });
        }
      });
      return value;
    });
  }
  return text.transform((item, ctx) => {
    try {
      return option.parseArg ? option.parseArg(item, option.defaultValue) : item;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: errorMessage(err) });
      return z.NEVER;
    }
  });
}

function describeIssue(issue: z.core.$ZodIssue, cmd: Command): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${key}: not an option of ${commandPath(cmd)} (see ${commandPath(cmd)} --help)`);
  }
  if (issue.path.length === 0) return [`(top level): give a mapping of option names to values, not ${describeValue(issue.input)}`];
  return [`${issue.path.map(String).join('.')}: ${issue.message}`];
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ClusterError('INVALID_ARGUMENT', `${file}: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}`);
  }
  return parseYaml(text, file);
}
