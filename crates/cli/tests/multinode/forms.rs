//! Behind a load balancer without sticky sessions, the screens' next request may reach
//! another node: a form served by node A and posted to node B is accepted, because every
//! node derives the same CSRF key from the master key they share.

use shikaku::testing::INITIAL_PASSWORD;

use crate::cluster::{CHEAP, Cluster, config};

#[test]
fn a_form_served_by_one_node_is_accepted_by_another() {
    let cluster = Cluster::start(&config("", CHEAP), &["forms01"], INITIAL_PASSWORD);
    let mut on_a = cluster.browser(0);
    let page = on_a.get("/login");
    assert_eq!(page.status, 200, "{}", page.text());
    // The same browser (its cookie and the page's CSRF token), now routed to node B.
    let mut on_b = on_a.clone();
    on_b.addr = cluster.addr(1);
    let answer = on_b.post(
        "/login",
        &[
            ("institution_code", shikaku::testing::INSTITUTION_CODE),
            ("login_id", "forms01"),
            ("password", INITIAL_PASSWORD),
        ],
    );
    assert_eq!(
        answer.status,
        303,
        "node B refused node A's form: {}",
        answer.text()
    );
    // And on to node C for the next screen.
    let mut on_c = on_b.clone();
    on_c.addr = cluster.addr(2);
    let next = on_c.get(answer.redirect());
    assert_eq!(next.status, 200, "{}", next.text());
}
