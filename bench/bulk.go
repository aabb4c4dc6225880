package bench

import (
	"fmt"
)

// Bulk notices: one copyright notice listing thousands of URLs over
// hundreds of pass-through domains. These build the customer records and
// the notice for measuring one end to end (bulk_test.go).

// BulkDomain is the name of bulk domain i.
func BulkDomain(i int) string { return fmt.Sprintf("cdn-site-%04d.example", i) }

// BulkCustomers is a customer-records document (POST /v1/admin/customers)
// of domains pass-through domains, ten per account, whose origins sit in
// the networks of providers hosting providers (round robin).
func BulkCustomers(domains, providers int) map[string]any {
	var accounts []map[string]any
	var cur map[string]any
	for i := 0; i < domains; i++ {
		if i%10 == 0 {
			n := len(accounts)
			cur = map[string]any{"id": fmt.Sprintf("acct-bulk-%03d", n), "name": fmt.Sprintf("Bulk Customer %d", n),
				"operator_email": fmt.Sprintf("webmaster@customer-%03d.example", n), "domains": []map[string]any{}}
			accounts = append(accounts, cur)
		}
		p := i % providers
		cur["domains"] = append(cur["domains"].([]map[string]any), map[string]any{
			"name": BulkDomain(i), "services": []string{"cdn"},
			"origin_ips": []string{fmt.Sprintf("10.%d.%d.%d", 100+p, (i/250)%250, 1+i%250)},
		})
	}
	var networks []map[string]any
	for p := 0; p < providers; p++ {
		networks = append(networks, map[string]any{"cidr": fmt.Sprintf("10.%d.0.0/16", 100+p),
			"provider": fmt.Sprintf("Hosting Provider %02d", p), "abuse_email": fmt.Sprintf("abuse@provider-%02d.example", p)})
	}
	return map[string]any{"accounts": accounts, "networks": networks}
}

// BulkNotice is a copyright notice of urls URLs spread evenly over the
// first domains bulk domains, with URLs of a realistic length (about 95
// characters: a path of a media file under a site's uploads).
func BulkNotice(domains, urls int) map[string]any {
	list := make([]string, urls)
	for i := range list {
		d := i % domains
		list[i] = fmt.Sprintf("https://www.%s/media/uploads/2026/11/the-artist-the-album/%02d-the-track-title-%05d.mp3",
			BulkDomain(d), 1+(i/domains)%20, i)
	}
	return map[string]any{
		"category":            "copyright",
		"urls":                list,
		"description":         "The listed files are copies of our catalogue, made available without a licence.",
		"reporter":            map[string]any{"name": "Rights Agent", "email": "notices@rights-agent.example", "organization": "Label Rights Ltd", "title": "Agent"},
		"forward_to_operator": true,
		"copyright": map[string]any{"work": "The Album (all tracks), sound recordings", "good_faith": true,
			"accurate_under_penalty": true, "signature": "/Rights Agent/"},
	}
}
