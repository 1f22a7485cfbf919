// The figure record every bench section returns, its goal check and its one-line rendering. Pure.

/**
 * A measured figure. `goal` is optional: `{ op: '<=' | '<', value }` against `value`, in the same unit.
 * @returns {{ id: string, label: string, value: number, unit: string, goal?: { op: string, value: number }, met?: boolean, detail?: string }}
 */
export function figure(id, label, value, unit, options = {}) {
  const fig = { id, label, value, unit };
  if (options.goal) {
    fig.goal = options.goal;
    fig.met = meetsGoal(value, options.goal);
  }
  if (options.detail) fig.detail = options.detail;
  return fig;
}

export function meetsGoal(value, goal) {
  if (!Number.isFinite(value)) return false;
  switch (goal.op) {
    case '<=':
      return value <= goal.value;
    case '<':
      return value < goal.value;
    case '>=':
      return value >= goal.value;
    case '>':
      return value > goal.value;
    default:
      throw new RangeError(`unknown goal operator ${goal.op}`);
  }
}

function formatValue(value, unit) {
  if (!Number.isFinite(value)) return String(value);
  const digits = unit === 'x' ? 3 : Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit === 'x' ? ' x' : unit ? ` ${unit}` : ''}`;
}

/** `label ........ value unit   goal <= 1.5 x: met`, padded to line up in a terminal. */
export function formatFigure(fig, labelWidth = 52) {
  const label = fig.label.length >= labelWidth ? fig.label : fig.label.padEnd(labelWidth, ' ');
  let line = `  ${label} ${formatValue(fig.value, fig.unit).padStart(12, ' ')}`;
  if (fig.goal) line += `   goal ${fig.goal.op} ${formatValue(fig.goal.value, fig.unit)}: ${fig.met ? 'met' : 'MISSED'}`;
  if (fig.detail) line += `   (${fig.detail})`;
  return line;
}
