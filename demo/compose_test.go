package demo_test

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/traefik/paerser/file"
	"github.com/traefik/paerser/parser"
	"gopkg.in/yaml.v3"
)

// routingConfig is the part of Traefik's dynamic configuration the demo sets, decoded with
// paerser, the library Traefik itself decodes labels and files with.
type routingConfig struct {
	HTTP *struct {
		Routers     map[string]*routerConfig
		Middlewares map[string]*middlewareConfig
		// Services differ by nature (a container port, a URL) and are not compared.
		Services map[string]map[string]any
	}
}

// routerConfig is the part of a router the demo sets.
type routerConfig struct {
	EntryPoints []string
	Rule        string
	Middlewares []string
	Service     string
}

// middlewareConfig holds a plugin middleware's raw configuration, as Traefik's PluginConf does.
type middlewareConfig struct {
	Plugin map[string]map[string]any
}

// composeFile is the part of docker-compose.yml the test reads.
type composeFile struct {
	Services map[string]struct {
		Image      string   `yaml:"image"`
		WorkingDir string   `yaml:"working_dir"`
		Command    []string `yaml:"command"`
		Volumes    []string `yaml:"volumes"`
		Labels     []string `yaml:"labels"`
	} `yaml:"services"`
}

// TestComposeMatchesTestedConfig checks that docker-compose.yml, which cannot run here, configures
// the same router and middleware as config/dynamic.yml, which the end-to-end tests run: its labels,
// after Compose's "$$" unescaping, decode with Traefik's label parser to the same configuration.
func TestComposeMatchesTestedConfig(t *testing.T) {
	data, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose composeFile
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}

	tr, ok := compose.Services["traefik"]
	if !ok {
		t.Fatal("docker-compose.yml has no traefik service")
	}
	if got, want := tr.Image, "traefik:v3.6"; got != want {
		t.Errorf("got image %q, want %q", got, want)
	}
	wantFlag := "--experimental.localPlugins." + pluginName + ".moduleName=" + pluginModule
	if !contains(tr.Command, wantFlag) {
		t.Errorf("traefik command %q lacks %q", tr.Command, wantFlag)
	}
	wantMount := "..:" + strings.TrimSuffix(tr.WorkingDir, "/") + "/plugins-local/src/" + pluginModule + ":ro"
	if !contains(tr.Volumes, wantMount) {
		t.Errorf("traefik volumes %q lack the plugin mount %q", tr.Volumes, wantMount)
	}

	var labels []string
	for _, svc := range compose.Services {
		labels = append(labels, svc.Labels...)
	}
	fromLabels := decodeLabels(t, labels)
	var fromFile routingConfig
	if err := file.Decode("config/dynamic.yml", &fromFile); err != nil {
		t.Fatalf("decoding config/dynamic.yml as Traefik does: %v", err)
	}
	if fromLabels.HTTP == nil || fromFile.HTTP == nil {
		t.Fatalf("no http section: labels %v, file %v", fromLabels.HTTP != nil, fromFile.HTTP != nil)
	}

	if got, want := flatten(fromLabels.HTTP.Routers), flatten(fromFile.HTTP.Routers); got != want {
		t.Errorf("routers: got from labels\n%s\nwant (config/dynamic.yml)\n%s", got, want)
	}
	if got, want := flatten(fromLabels.HTTP.Middlewares), flatten(fromFile.HTTP.Middlewares); got != want {
		t.Errorf("middlewares: got from labels\n%s\nwant (config/dynamic.yml)\n%s", got, want)
	}
	if hash := "$2y$05$"; !strings.Contains(flatten(fromLabels.HTTP.Middlewares), hash) {
		t.Errorf("middlewares from labels lack a bcrypt hash starting %q", hash)
	}
}

// decodeLabels decodes Docker labels, as written in a Compose file, with Traefik's label parser,
// after Compose's "$$" unescaping. A label with a single "$" is an error, one without "=" fatal.
func decodeLabels(t *testing.T, labels []string) routingConfig {
	t.Helper()
	byKey := map[string]string{}
	for _, l := range labels {
		// Compose reads "$$" as "$" and any other "$" as a variable (or an error).
		if strings.Contains(strings.ReplaceAll(l, "$$", ""), "$") {
			t.Errorf("label %q has a single $, which Compose would interpolate: write $$", l)
		}
		key, value, ok := strings.Cut(strings.ReplaceAll(l, "$$", "$"), "=")
		if !ok {
			t.Fatalf("label %q has no =", l)
		}
		byKey[key] = value
	}
	var cfg routingConfig
	if err := parser.Decode(byKey, &cfg, parser.DefaultRootName, "traefik.http"); err != nil {
		t.Fatalf("decoding the labels as Traefik does: %v", err)
	}
	return cfg
}

// flatten renders v as sorted "path = value" lines, so that a list decoded from labels ([]any)
// and one decoded from a file ([]string) compare equal when their elements do.
func flatten(v any) string {
	var lines []string
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(path+"."+strings.ToLower(fmt.Sprint(k.Interface())), v.MapIndex(k))
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				walk(path+"."+strings.ToLower(v.Type().Field(i).Name), v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		default:
			lines = append(lines, fmt.Sprintf("%s = %v", path, v.Interface()))
		}
	}
	walk("", reflect.ValueOf(v))
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
