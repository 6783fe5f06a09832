package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cognitokit/cognitokit/internal/emulator/store"
)

type user struct {
	Email  string `json:"email"`
	Status string `json:"status"`
}

// A service writes each entity in its own key, answers once Update has
// returned, and reads a listing one page at a time.
func Example() {
	dir, _ := os.MkdirTemp("", "store-example")
	defer os.RemoveAll(dir)
	s, err := store.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	users := store.Path{"userpool", "eu-west-1_abc", "users"}
	err = s.Update(func(tx *store.Tx) error {
		for _, name := range []string{"carol", "alice", "bob"} {
			if err := tx.Put(users, name, user{Email: name + "@example.com", Status: "CONFIRMED"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Durable from here: the mutation may be answered.

	after := ""
	for {
		var page store.Page
		if err := s.View(func(tx *store.Tx) (err error) { page, err = tx.Page(users, after, 2); return err }); err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range page.Entries {
			var u user
			if err := e.Decode(&u); err != nil {
				fmt.Println(err)
				return
			}
			fmt.Println(e.Key, u.Email)
		}
		if !page.More {
			break
		}
		after = page.Entries[len(page.Entries)-1].Key
		fmt.Println("-- next page")
	}

	err = s.View(func(tx *store.Tx) error { return tx.Get(users, "dave", &user{}) })
	fmt.Println(errors.Is(err, store.ErrNotFound))
	// Output:
	// alice alice@example.com
	// bob bob@example.com
	// -- next page
	// carol carol@example.com
	// true
}

// A service registers an importer for its section of a JSON state file
// from before the store; Open migrates the file on first start and keeps
// the JSON beside it.
func ExampleOptions_importers() {
	dir, _ := os.MkdirTemp("", "store-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "state")
	_ = os.WriteFile(path, []byte(`{"version":1,"pools":{},"sections":{"facebook":{"apps":{"123":{"name":"demo"}}}}}`), 0o600)

	var importFacebook store.Importer = func(tx *store.Tx, raw json.RawMessage) error {
		var st struct {
			Apps map[string]map[string]string `json:"apps"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return err
		}
		for id, app := range st.Apps {
			if err := tx.Put(store.Path{"facebook", "apps"}, id, app); err != nil {
				return err
			}
		}
		return nil
	}
	s, err := store.Open(path, func(o *store.Options) {
		o.Importers = map[string]store.Importer{"facebook": importFacebook}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	var app map[string]string
	_ = s.View(func(tx *store.Tx) error { return tx.Get(store.Path{"facebook", "apps"}, "123", &app) })
	_, err = os.Stat(path + store.BackupSuffix)
	fmt.Println(app["name"], err == nil)
	// Output: demo true
}
