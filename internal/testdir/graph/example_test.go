package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/usersync/usersync/internal/testdir/graph"
)

// A client signs in with the client-credentials grant and reads the users'
// delta, following nextLinks until the deltaLink.
func Example() {
	s, err := graph.Start(graph.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if _, err := s.PutUser(graph.User{UserPrincipalName: "ann@contoso.example", DisplayName: "Ann"}); err != nil {
		panic(err)
	}
	hc := s.Client() // trusts the server's CA; or write s.WriteCAFile for SSL_CERT_FILE
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {graph.DefaultClientID},
		"client_secret": {graph.DefaultSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := hc.PostForm(s.TokenURL(), form)
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	req, _ := http.NewRequest(http.MethodGet, s.GraphURL()+"/users/delta?$select=displayName", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = hc.Do(req)
	if err != nil {
		panic(err)
	}
	var page struct {
		Value     []map[string]any `json:"value"`
		DeltaLink string           `json:"@odata.deltaLink"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	fmt.Println(page.Value[0]["displayName"], strings.Contains(page.DeltaLink, "$deltatoken="))
	// Output: Ann true
}
