// Lint: typescript-eslint's recommended rules, plus the layer boundaries of DESIGN.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'bench/results/**', 'test-artifacts/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'core sees only interfaces: no node:* imports (DESIGN.md, Layers).' },
          { group: ['chalk', 'ora', 'execa', 'cli-table3'], message: 'core never renders or spawns.' },
          { group: ['**/cli/**', '**/sim/**', '**/transport/winrm/**', '**/transport/local-pwsh/**'], message: 'core depends on interfaces only.' },
        ],
      }],
      'no-restricted-globals': ['error', 'process'],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/transport/factory.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**'], message: 'nothing imports cli/.' }] }],
    },
  },
  {
    // The simulator models Windows and never borrows logic from the code under test (DESIGN.md, Rehearsal model):
    // type-only imports of shared shapes are fine, values from core/ or plugins/ are not.
    files: ['src/sim/**/*.ts'],
    ignores: ['src/sim/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/core/**'], allowTypeImports: true, message: 'the simulator never borrows logic from core/: model what Windows does in src/sim.' },
          { group: ['**/plugins/**'], allowTypeImports: true, message: 'the simulator never borrows plug-in decisions: model what Windows does in src/sim.' },
        ],
      }],
    },
  },
);
