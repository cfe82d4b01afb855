/** Renders the vocabulary and the providers' status tables as Markdown for the README. */
import type { StatusRule, StatusTable } from '../lib/status/mapping';
import { STATES, STATE_INFO } from '../lib/status/vocabulary';

function cell(value: string | null | undefined, none = '–'): string {
  return value === undefined || value === null || value === '' ? none : value;
}

function ruleRow(table: StatusTable, rule: StatusRule): string {
  const status = rule.status === null ? '(none)' : `\`${rule.status}\``;
  const context = rule.context === undefined ? 'any' : rule.context === null ? '(none)' : `\`${rule.context}\``;
  const event = rule.event ? `\`${rule.event}\`` : 'any';
  const when = rule.condition ? rule.condition.description : '';
  const final = rule.final ?? STATE_INFO[rule.state].final;
  return `| ${table.resource} | ${status} | ${context} | ${event} | ${cell(when, '')} | \`${rule.state}\` | ${cell(rule.reason)} | ${final ? 'yes' : 'no'} |`;
}

export function renderVocabulary(): string {
  const lines = ['| state | final | group | badge | meaning |', '| --- | --- | --- | --- | --- |'];
  for (const state of STATES) {
    const info = STATE_INFO[state];
    lines.push(`| \`${state}\` | ${info.final ? 'yes' : 'no'} | ${info.group} | ${info.badge.fill} ${info.badge.shape} | ${info.description} |`);
  }
  return lines.join('\n');
}

export function renderStatusTables(tables: readonly StatusTable[]): string {
  const lines = [
    '| resource | status | context | event | when | state | reason | final |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const table of tables) for (const rule of table.rules) lines.push(ruleRow(table, rule));
  return lines.join('\n');
}
