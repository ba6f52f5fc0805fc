package playground

import "github.com/sigconv/sigconv/backends"

// Target is one entry of the page's target picker.
type Target struct {
	Name      string     `json:"name"`
	Pipelines []Pipeline `json:"pipelines"`
	Formats   []string   `json:"formats"`
}

// Pipeline is a built-in pipeline of a target.
type Pipeline struct {
	Name    string `json:"name"`
	Default bool   `json:"default"`
}

// Targets lists what `sigconv list targets|pipelines|formats` lists.
func Targets() []Target {
	var out []Target
	for _, name := range backends.Names() {
		b, _ := backends.Lookup(name)
		defaults := map[string]bool{}
		if pp, ok := b.(backends.PipelineProvider); ok {
			for _, d := range pp.DefaultPipelines() {
				defaults[d] = true
			}
		}
		t := Target{Name: name, Formats: backends.FormatsOf(b), Pipelines: []Pipeline{}}
		for _, p := range backends.PipelinesOf(b) {
			t.Pipelines = append(t.Pipelines, Pipeline{Name: p.Name, Default: defaults[p.Name]})
		}
		out = append(out, t)
	}
	return out
}
