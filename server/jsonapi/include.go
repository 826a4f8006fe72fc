package jsonapi

import (
	"fmt"
	"strings"
)

// includePath is one dot path of the include parameter, resolved to relationship indexes.
type includePath struct {
	rels []int
}

// parseInclude resolves include paths; an unknown relationship anywhere on a path is a 400
// (ours: the reference ignores it silently, JSON:API requires an error), and so is a path of more
// than maxDepth relationships (api.md section 20: each segment is one more query).
func parseInclude(r *Resource, p Param, maxDepth int) ([]includePath, Errors) {
	var out []includePath
	var errs Errors
	for _, path := range strings.Split(p.Value, ",") {
		if path == "" {
			continue
		}
		if strings.Count(path, ".") >= maxDepth {
			errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("An include path may have at most %d segments.", maxDepth)))
			continue
		}
		cur := r
		ip := includePath{}
		for _, name := range strings.Split(path, ".") {
			i := cur.RelIndex(name)
			if i < 0 {
				errs = append(errs, BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The relationship %q does not exist.", path)))
				break
			}
			ip.rels = append(ip.rels, i)
			cur = cur.targets[i]
		}
		if len(ip.rels) == len(strings.Split(path, ".")) {
			out = append(out, ip)
		}
	}
	return out, errs
}
