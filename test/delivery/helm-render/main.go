// A stand-in for `helm template`, for the delivery tests on machines without helm: Go's
// text/template (which Helm is built on) with the Helm and Sprig functions this chart uses.
// Input on stdin: {"chartDir", "values", "chart", "release"} as JSON (the test reads values.yaml
// and Chart.yaml). Output: every rendered manifest, each preceded by "# Source: <file>".
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"text/template"
)

type input struct {
	ChartDir string                 `json:"chartDir"`
	Values   map[string]interface{} `json:"values"`
	Chart    map[string]interface{} `json:"chart"`
	Release  map[string]interface{} `json:"release"`
}

type files struct{ dir string }

// Get mirrors .Files.Get: the file's text, or "" when it is missing.
func (f files) Get(name string) string {
	data, err := os.ReadFile(filepath.Join(f.dir, name))
	if err != nil {
		return ""
	}
	return string(data)
}

func empty(v interface{}) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Map, reflect.Slice, reflect.Array:
		return rv.Len() == 0
	case reflect.Bool:
		return !rv.Bool()
	case reflect.Float32, reflect.Float64:
		return rv.Float() == 0
	case reflect.Int, reflect.Int64, reflect.Int32:
		return rv.Int() == 0
	}
	return false
}

func str(v interface{}) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func funcs(root *template.Template) template.FuncMap {
	return template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			var buf bytes.Buffer
			err := root.ExecuteTemplate(&buf, name, data)
			return buf.String(), err
		},
		"default": func(def interface{}, given ...interface{}) interface{} {
			if len(given) == 0 || empty(given[0]) {
				return def
			}
			return given[0]
		},
		"required": func(msg string, v interface{}) (interface{}, error) {
			if empty(v) {
				return nil, errors.New(msg)
			}
			return v, nil
		},
		"trunc": func(n int, s string) string {
			if len(s) > n {
				return s[:n]
			}
			return s
		},
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"contains":   func(sub, s string) bool { return strings.Contains(s, sub) },
		"quote":      func(v interface{}) string { return fmt.Sprintf("%q", str(v)) },
		"indent":     indent,
		"nindent":    func(n int, s string) string { return "\n" + indent(n, s) },
		"toJson": func(v interface{}) (string, error) {
			data, err := json.Marshal(v)
			return string(data), err
		},
		"sha256sum": func(s string) string {
			sum := sha256.Sum256([]byte(s))
			return hex.EncodeToString(sum[:])
		},
		"b64enc": func(v interface{}) string { return base64.StdEncoding.EncodeToString([]byte(str(v))) },
		"dict": func(pairs ...interface{}) map[string]interface{} {
			out := map[string]interface{}{}
			for i := 0; i+1 < len(pairs); i += 2 {
				out[str(pairs[i])] = pairs[i+1]
			}
			return out
		},
		"list":     func(items ...interface{}) []interface{} { return items },
		"lower":    func(s string) string { return strings.ToLower(s) },
		"toString": str,
		"has": func(needle interface{}, haystack []interface{}) bool {
			for _, item := range haystack {
				if reflect.DeepEqual(item, needle) {
					return true
				}
			}
			return false
		},
	}
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail(err)
	}
	templates := filepath.Join(in.ChartDir, "templates")
	root := template.New("chart").Option("missingkey=zero")
	root.Funcs(funcs(root))
	paths, _ := filepath.Glob(filepath.Join(templates, "*"))
	sort.Strings(paths)
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			fail(err)
		}
		if _, err := root.New(filepath.Base(path)).Parse(string(data)); err != nil {
			fail(err)
		}
	}
	context := map[string]interface{}{
		"Values":  in.Values,
		"Chart":   in.Chart,
		"Release": in.Release,
		"Files":   files{dir: in.ChartDir},
	}
	for _, path := range paths {
		name := filepath.Base(path)
		if strings.HasPrefix(name, "_") || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, context); err != nil {
			fail(err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.TrimSpace(text) != "" {
			fmt.Printf("---\n# Source: %s\n%s\n", name, text)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
