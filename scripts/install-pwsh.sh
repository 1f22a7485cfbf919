#!/usr/bin/env bash
# Installs PowerShell 7 (the dotnet tool from NuGet) and the Pester module (from NuGet) under .tools/ in the
# repository, for the PowerShell tests. Idempotent: when the pinned versions are present it does nothing.
# Needs only the dotnet SDK and NuGet; writes nothing outside the repository (the NuGet package folder and
# the throwaway restore project live under .tools/ as well).
set -euo pipefail

readonly PWSH_VERSION='7.6.9'
readonly PESTER_VERSION='6.2.0'

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
pwsh="$tools/pwsh/pwsh"
modules="$tools/modules"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Keep NuGet's global package folder inside .tools so the host's cache is neither used nor filled.
export NUGET_PACKAGES="$tools/nuget-packages"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-pwsh: the dotnet SDK is required (it installs PowerShell as a dotnet tool)" >&2
  exit 1
fi

installed_pwsh_version() {
  [[ -x "$pwsh" ]] || return 0
  "$pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null || true
}

if [[ "$(installed_pwsh_version)" != "$PWSH_VERSION" ]]; then
  rm -rf "$tools/pwsh"
  dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$tools/pwsh"
fi
echo "install-pwsh: PowerShell $(installed_pwsh_version) at .tools/pwsh/pwsh"

pester_manifest="$modules/Pester/Pester.psd1"
installed_pester_version() {
  [[ -f "$pester_manifest" ]] || return 0
  sed -n "s/^ *ModuleVersion *= *'\([0-9.]*\)'.*/\1/p" "$pester_manifest" | head -n 1
}

if [[ "$(installed_pester_version)" != "$PESTER_VERSION" ]]; then
  # NuGet has no "download one package" verb in the SDK; restoring a throwaway project that references
  # Pester into a known --packages folder does the same job. The module is the package's tools/ folder.
  restore="$tools/pester-restore"
  rm -rf "$restore"
  mkdir -p "$restore"
  cat >"$restore/restore.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Pester" Version="$PESTER_VERSION" />
  </ItemGroup>
</Project>
CSPROJ
  dotnet restore "$restore/restore.csproj" --packages "$restore/packages"
  source="$restore/packages/pester/$PESTER_VERSION/tools"
  if [[ ! -f "$source/Pester.psd1" ]]; then
    echo "install-pwsh: Pester $PESTER_VERSION package has no tools/Pester.psd1" >&2
    exit 1
  fi
  rm -rf "$modules/Pester"
  mkdir -p "$modules"
  cp -R "$source" "$modules/Pester"
  rm -rf "$restore"
fi
echo "install-pwsh: Pester $(installed_pester_version) at .tools/modules/Pester"
