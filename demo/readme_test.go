package demo_test

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// readmeMarkerPrefix and readmeMarkerSuffix surround the path of the example that the fenced
// block right after the marker line must reproduce, byte for byte.
const (
	readmeMarkerPrefix = "<!-- example: "
	readmeMarkerSuffix = " -->"
)

// readmeBlock is one fenced code block of the README.
type readmeBlock struct {
	// line is the 1-based line of the opening fence.
	line int
	// lang is the fence's info string.
	lang string
	// content is the block's text, its indentation removed, each line ending in "\n".
	content string
	// example is the path named by the marker line right before the fence, "" when none.
	example string
}

// readmeBlocks parses the fenced code blocks of a Markdown text, with the example markers that
// introduce them. A marker not followed by a fence is an error.
func readmeBlocks(text string) ([]readmeBlock, error) {
	lines := strings.Split(text, "\n")
	var blocks []readmeBlock
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, readmeMarkerPrefix) {
			if i+1 >= len(lines) || !strings.HasPrefix(strings.TrimLeft(lines[i+1], " "), "```") {
				return nil, fmt.Errorf("README.md:%d: marker %q is not followed by a fenced block", i+1, line)
			}
			continue
		}
		trimmed := strings.TrimLeft(line, " ")
		if !strings.HasPrefix(trimmed, "```") {
			continue
		}
		indent := line[:len(line)-len(trimmed)]
		b := readmeBlock{line: i + 1, lang: strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))}
		if i > 0 && strings.HasPrefix(lines[i-1], readmeMarkerPrefix) && strings.HasSuffix(lines[i-1], readmeMarkerSuffix) {
			b.example = strings.TrimSuffix(strings.TrimPrefix(lines[i-1], readmeMarkerPrefix), readmeMarkerSuffix)
		}
		var content strings.Builder
		closed := false
		for i++; i < len(lines); i++ {
			if strings.TrimLeft(lines[i], " ") == "```" {
				closed = true
				break
			}
			content.WriteString(strings.TrimPrefix(lines[i], indent) + "\n")
		}
		if !closed {
			return nil, fmt.Errorf("README.md:%d: fenced block never closed", b.line)
		}
		b.content = content.String()
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// readmeConfigLangs are the fence languages of configuration, which must come from examples/.
var readmeConfigLangs = map[string]string{"yaml": ".yml", "yml": ".yml", "toml": ".toml"}

// TestReadmeExamples checks that the README's configuration cannot rot: every YAML or TOML block
// is introduced by a marker naming a file of examples/ and is that file byte for byte (and
// TestExamples runs every file of examples/), and every file of examples/ is in the README.
func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(string(data))
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, b := range blocks {
		ext, isConfig := readmeConfigLangs[b.lang]
		if b.example == "" {
			if isConfig {
				t.Errorf("README.md:%d: %s block without a %s...%s marker: keep it in demo/%s/ so that a test runs it",
					b.line, b.lang, readmeMarkerPrefix, readmeMarkerSuffix, examplesDir)
			}
			continue
		}
		rel, ok := strings.CutPrefix(b.example, "demo/"+examplesDir+"/")
		if !ok || strings.Contains(rel, "/") {
			t.Errorf("README.md:%d: marker names %q, want demo/%s/<file>", b.line-1, b.example, examplesDir)
			continue
		}
		if !isConfig || path.Ext(rel) != ext {
			t.Errorf("README.md:%d: a %q block shows %s: want a fence language matching the file (yaml or toml)", b.line, b.lang, rel)
		}
		used[rel] = true
		want, err := os.ReadFile(filepath.Join(examplesDir, rel))
		if err != nil {
			t.Errorf("README.md:%d: %v", b.line, err)
			continue
		}
		if b.content != string(want) {
			t.Errorf("README.md:%d: the block differs from %s:\n%s", b.line, b.example, firstDifference(b.content, string(want)))
		}
	}
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !used[e.Name()] {
			t.Errorf("demo/%s/%s is not shown in README.md", examplesDir, e.Name())
		}
	}
}

// firstDifference describes the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d of the block: got %q, want %q", i+1, gl, wl)
		}
	}
	return "(no difference found)"
}

// TestReadmeBlocksParser checks the parser on the cases the README relies on.
func TestReadmeBlocksParser(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		text    string
		want    []readmeBlock
		wantErr bool
	}{
		{
			name: "marked block",
			text: "x\n<!-- example: demo/examples/a.yml -->\n```yaml\na: 1\n\nb: 2\n```\n",
			want: []readmeBlock{{line: 3, lang: "yaml", content: "a: 1\n\nb: 2\n", example: "demo/examples/a.yml"}},
		},
		{
			name: "unmarked and indented blocks",
			text: "```sh\nmake\n```\n- item\n  ```text\n  ERR x\n  ```\n",
			want: []readmeBlock{{line: 1, lang: "sh", content: "make\n"}, {line: 5, lang: "text", content: "ERR x\n"}},
		},
		{name: "marker without a block", text: "<!-- example: demo/examples/a.yml -->\n\n```yaml\n```\n", wantErr: true},
		{name: "unclosed block", text: "```yaml\na: 1\n", wantErr: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readmeBlocks(c.text)
			if (err != nil) != c.wantErr {
				t.Fatalf("got error %v, want error %t", err, c.wantErr)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
