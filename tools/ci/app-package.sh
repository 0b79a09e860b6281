#!/usr/bin/env bash
# Builds the app from exactly what a deployment uploads: every tracked file that .funcignore does not leave out
# (tools/, bench/ and test/ among them), with the installed node_modules. Fails if the app reaches into anything
# that is not deployed.
set -euo pipefail
cd "$(dirname "$0")/../.."
package=$(mktemp -d)
trap 'rm -rf "$package"' EXIT
git ls-files -z | while IFS= read -r -d '' file; do
  excluded=no
  while IFS= read -r pattern; do
    pattern=${pattern%%#*}
    pattern=${pattern%"${pattern##*[![:space:]]}"}
    [ -z "$pattern" ] && continue
    case "$pattern" in
      */) [[ "$file" == "$pattern"* ]] && excluded=yes ;;
      *) [[ "$file" == $pattern || "$(basename "$file")" == $pattern ]] && excluded=yes ;;
    esac
  done <.funcignore
  if [ "$excluded" = no ]; then
    mkdir -p "$package/$(dirname "$file")"
    cp "$file" "$package/$file"
  fi
done
for folder in tools bench test; do
  [ ! -e "$package/$folder" ] || { echo "app package: $folder/ would be deployed; add it to .funcignore"; exit 1; }
done
ln -s "$PWD/node_modules" "$package/node_modules"
(cd "$package" && npx tsc -p tsconfig.json --outDir "$package/dist")
test -f "$package/$(node -p "require('./package.json').main")" || { echo "app package: main was not built"; exit 1; }
echo "app package: $(find "$package" -path "$package/node_modules" -prune -o -type f -print | wc -l) files, builds without tools/, bench/ and test/"
