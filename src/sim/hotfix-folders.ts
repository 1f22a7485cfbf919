/**
 * Which exit conditions install a simulated hotfix, as the hotfix configuration decides on a node: a file in a
 * FolderRules folder (`CAUHotfix_All\FolderRule1\fw.exe`) is installed by that `<Folder name>` rule, matched
 * without regard to case, and is outside CAU's structure (never offered, never run) when no rule has that name;
 * any other file by the extension rules (fixture `hotfixRules`, or the usual codes). Written from the CAU
 * plug-ins documentation, not from the node scripts. Depends on the model's types only.
 */
import type { HotfixExitRules } from './hotfix-rules.js';
import type { ModelState, SimUpdateState } from './model-state.js';

/** The rules for `u`: `undefined` means the default extension rules; `null`, no rule (CAU ignores the file). */
export function hotfixRulesFor(state: Pick<ModelState, 'hotfixRules' | 'hotfixFolderRules'>, u: Pick<SimUpdateState, 'ruleFolder'>): HotfixExitRules | undefined | null {
  if (u.ruleFolder === undefined) return state.hotfixRules;
  const wanted = u.ruleFolder.toUpperCase();
  const match = Object.entries(state.hotfixFolderRules ?? {}).find(([name]) => name.toUpperCase() === wanted);
  return match === undefined ? null : match[1];
}
