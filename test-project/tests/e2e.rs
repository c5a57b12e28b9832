//! The sample application end to end, in headless Chromium: the real binary on a free port
//! with a fresh SQLite file, driven through ChromeDriver over WebDriver (fantoccini).
//!
//! A visitor acts as lennon, follows hendrix, acts as hendrix and posts, acts as lennon again
//! and finds the post at the top of lennon's followed stream, then follows its "Older" link.
//! And two visitors in two browser sessions: one watches a post's page while the other likes
//! the post and comments on it, each action appearing on the first one's page within 2 s
//! without a reload, and the like disappearing when the other unlikes it.
//!
//! And lennon's bell: three users like lennon's new post in a second browser, the bell of the
//! page lennon left open shows one group within 2 s without a reload, the inbox reads "… and 1
//! other liked Wild Haze", and a fourth like rings it again, live as well.
//!
//! And the site with `--redis`: the followed stream served from Redis timelines, the same as
//! from SQL, and from SQL again when Redis is killed.
//! Screenshots go to `<target dir>/e2e/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`; `STREAM_E2E_CHROMIUM` / `STREAM_E2E_CHROMEDRIVER` point
//! elsewhere). Without them the test passes with a message, unless `STREAM_E2E_REQUIRED=1`
//! (as `.ci/run` sets it), which makes a missing browser a failure.

mod common;

use common::redis_servers::RedisServer;
use fantoccini::{Client, ClientBuilder, Locator};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// The flags that work for headless Chromium on these machines.
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1100",
];

fn tool(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_follows_someone_posts_and_reads_the_followed_stream() {
    browser_test(
        "followed",
        1,
        &[],
        Box::new(|clients, base, shots| {
            Box::pin(async move { scenario(&clients[0], &base, &shots).await })
        }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_sees_another_visitors_actions_appear_and_disappear_live() {
    browser_test(
        "live",
        2,
        &[],
        Box::new(|clients, base, shots| {
            Box::pin(async move { live_scenario(&clients[0], &clients[1], &base, &shots).await })
        }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn likes_of_a_post_ring_its_authors_bell_once_as_one_group() {
    browser_test(
        "notifications",
        2,
        &[],
        Box::new(|clients, base, shots| {
            Box::pin(async move {
                notifications_scenario(&clients[0], &clients[1], &base, &shots).await
            })
        }),
    )
    .await;
}

/// The same site with `--redis`: the followed stream comes from the timeline once it is
/// built, the same actions as SQL gives, and from SQL again when Redis is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_followed_stream_from_redis_timelines_and_from_sql_when_redis_dies() {
    let server = std::sync::Mutex::new(RedisServer::start());
    let url = server.lock().unwrap().url();
    browser_test(
        "redis",
        1,
        &["--redis".to_owned(), url],
        Box::new(move |clients, base, shots| {
            Box::pin(async move { timelines_scenario(&clients[0], &base, &shots, &server).await })
        }),
    )
    .await;
}

/// What a browser test does with its sessions, the site's URL and the screenshot directory.
type Scenario = Box<
    dyn FnOnce(
            Vec<Client>,
            String,
            PathBuf,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send>>
        + Send,
>;

/// Run `scenario` with `sessions` browser sessions of their own (own profiles, own cookies)
/// on a fresh app started with `app_args`, or skip when the browser is missing.
async fn browser_test(name: &str, sessions: usize, app_args: &[String], scenario: Scenario) {
    let chromium = tool("STREAM_E2E_CHROMIUM", "/usr/bin/chromium");
    let chromedriver = tool("STREAM_E2E_CHROMEDRIVER", "/usr/bin/chromedriver");
    let required = std::env::var("STREAM_E2E_REQUIRED").is_ok_and(|value| value == "1");
    let missing: Vec<String> = [&chromium, &chromedriver]
        .into_iter()
        .filter(|tool| !tool.is_file())
        .map(|tool| tool.display().to_string())
        .collect();
    if !missing.is_empty() {
        let missing = format!(
            "{} not found (apt-get install -y chromium chromium-driver)",
            missing.join(" and ")
        );
        assert!(!required, "STREAM_E2E_REQUIRED=1, but {missing}");
        eprintln!("skipped: {missing}; set STREAM_E2E_REQUIRED=1 to fail instead");
        return;
    }

    let scratch =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-{name}-{}", std::process::id()));
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("e2e");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::create_dir_all(&shots).unwrap();

    let outcome = tokio::time::timeout(
        Duration::from_secs(240),
        run(
            &chromium,
            &chromedriver,
            &scratch,
            &shots,
            sessions,
            app_args,
            scenario,
        ),
    )
    .await;
    let _ = std::fs::remove_dir_all(&scratch);
    match outcome {
        Ok(Ok(())) => println!("screenshots: {}", shots.display()),
        Ok(Err(error)) => panic!("{error}"),
        Err(_) => panic!("the browser test did not finish in 240 s"),
    }
}

async fn run(
    chromium: &Path,
    chromedriver: &Path,
    scratch: &Path,
    shots: &Path,
    sessions: usize,
    app_args: &[String],
    scenario: Scenario,
) -> Result<()> {
    let (_app, base) = start_app(scratch, app_args).await?;
    let (_driver, driver_url) = start_chromedriver(chromedriver).await?;

    let mut clients = Vec::new();
    for session in 0..sessions {
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|flag| flag.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            scratch.join(format!("profile-{session}")).display()
        ));
        let capabilities = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("an object literal")
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver_url)
            .await?;
        clients.push(client);
    }
    let result = scenario(clients.clone(), base, shots.to_owned()).await;
    if result.is_err() {
        // What the browsers showed when it went wrong.
        for (n, client) in clients.iter().enumerate() {
            if let Ok(png) = client.screenshot().await {
                let _ = std::fs::write(shots.join(format!("failure-{n}.png")), png);
            }
        }
    }
    for client in clients {
        let _ = client.close().await;
    }
    result
}

/// Two visitors on the same post: the second likes it and comments, and the first, who does
/// not reload, sees each action appear at the top of the post's stream within 2 s; the second
/// unlikes, and the like disappears from the first one's page.
async fn live_scenario(watcher: &Client, actor: &Client, base: &str, shots: &Path) -> Result<()> {
    let post = format!("{}/posts/1", base.trim_end_matches('/'));
    // The second visitor, as hendrix, starts from a post he does not like.
    actor.goto(base).await?;
    actor.wait().for_element(Locator::Id("stream")).await?;
    act_as(actor, "hendrix").await?;
    actor.goto(&post).await?;
    actor.wait().for_element(Locator::Id("stream")).await?;
    if let Ok(unlike) = actor.find(Locator::Id("unlike")).await {
        unlike.click().await?;
        actor.wait().for_element(Locator::Id("like")).await?;
    }

    // The first visitor, as lennon, opens the post, and never reloads it: a mark on the
    // window would be gone after a reload.
    watcher.goto(base).await?;
    watcher.wait().for_element(Locator::Id("stream")).await?;
    act_as(watcher, "lennon").await?;
    watcher.goto(&post).await?;
    watcher.wait().for_element(Locator::Id("stream")).await?;
    watcher
        .execute("window.streamNotReloaded = true; return null;", vec![])
        .await?;
    let hendrix_likes = "//ol[@id='stream']/li[.//p[contains(@class, 'liked')] and .//a[@class='actor' and text()='hendrix']]";
    if !watcher
        .find_all(Locator::XPath(hendrix_likes))
        .await?
        .is_empty()
    {
        return Err("hendrix's like should not be on the page yet".into());
    }

    // Hendrix likes the post: it tops lennon's page within 2 s.
    actor.find(Locator::Id("like")).await?.click().await?;
    actor.wait().for_element(Locator::Id("unlike")).await?;
    let liked_on_top = "//ol[@id='stream']/li[1][.//p[contains(@class, 'liked')] and .//a[@class='actor' and text()='hendrix']]";
    watcher
        .wait()
        .at_most(Duration::from_secs(2))
        .for_element(Locator::XPath(liked_on_top))
        .await
        .map_err(|error| format!("the like did not appear within 2 s: {error}"))?;

    // Hendrix comments: the comment tops the page within 2 s, above the like.
    actor
        .find(Locator::Id("comment-body"))
        .await?
        .send_keys("Live from the other browser")
        .await?;
    actor
        .find(Locator::Id("comment-submit"))
        .await?
        .click()
        .await?;
    let commented_on_top = "//ol[@id='stream']/li[1][.//p[contains(@class, 'commented')] and contains(., 'Live from the other browser')]";
    watcher
        .wait()
        .at_most(Duration::from_secs(2))
        .for_element(Locator::XPath(commented_on_top))
        .await
        .map_err(|error| format!("the comment did not appear within 2 s: {error}"))?;
    let liked_second = "//ol[@id='stream']/li[2][.//p[contains(@class, 'liked')] and .//a[@class='actor' and text()='hendrix']]";
    watcher.find(Locator::XPath(liked_second)).await?;
    std::fs::write(shots.join("live.png"), watcher.screenshot().await?)?;

    // Hendrix unlikes: the like leaves lennon's page within 2 s.
    actor.wait().for_element(Locator::Id("unlike")).await?;
    actor.find(Locator::Id("unlike")).await?.click().await?;
    let like_gone = format!(
        "//ol[@id='stream'][not(li{})]",
        &hendrix_likes["//ol[@id='stream']/li".len()..]
    );
    watcher
        .wait()
        .at_most(Duration::from_secs(2))
        .for_element(Locator::XPath(&like_gone))
        .await
        .map_err(|error| format!("the unliked like did not disappear within 2 s: {error}"))?;
    watcher.find(Locator::XPath(commented_on_top)).await?;
    let not_reloaded = watcher
        .execute("return window.streamNotReloaded === true;", vec![])
        .await?;
    if not_reloaded != serde_json::Value::Bool(true) {
        return Err("the watching page was reloaded".into());
    }
    std::fs::write(shots.join("live-unliked.png"), watcher.screenshot().await?)?;
    Ok(())
}

/// What a newcomer would do, step by step; each step waits for what the server renders next.
async fn scenario(c: &Client, base: &str, shots: &Path) -> Result<()> {
    c.goto(base).await?;
    c.wait().for_element(Locator::Id("stream")).await?;

    // Act as lennon, a seeded user.
    act_as(c, "lennon").await?;

    // Follow hendrix from his page (unfollow first if the seed already made lennon a fan).
    c.find(Locator::XPath("//ul[@class='people']//a[text()='hendrix']"))
        .await?
        .click()
        .await?;
    c.wait()
        .for_element(Locator::XPath("//h1[text()='hendrix']"))
        .await?;
    if let Ok(unfollow) = c.find(Locator::Id("unfollow")).await {
        unfollow.click().await?;
        c.wait().for_element(Locator::Id("follow")).await?;
    }
    c.find(Locator::Id("follow")).await?.click().await?;
    c.wait().for_element(Locator::Id("unfollow")).await?;

    // As hendrix, post something on the front page.
    act_as(c, "hendrix").await?;
    c.find(Locator::Id("nav-everyone")).await?.click().await?;
    c.wait().for_element(Locator::Id("post-title")).await?;
    c.find(Locator::Id("post-title"))
        .await?
        .send_keys("Voodoo Child")
        .await?;
    c.find(Locator::Id("post-body"))
        .await?
        .send_keys("Well, I stand up next to a mountain.")
        .await?;
    c.find(Locator::Id("post-group"))
        .await?
        .select_by_label("blues")
        .await?;
    c.find(Locator::Id("post-submit")).await?.click().await?;
    let newest = "//ol[@id='stream']/li[1]//a[text()='Voodoo Child']";
    c.wait().for_element(Locator::XPath(newest)).await?;

    // Back as lennon: the post tops lennon's followed stream.
    act_as(c, "lennon").await?;
    c.find(Locator::Id("nav-feed")).await?.click().await?;
    c.wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Followed by')]"))
        .await?;
    let first = c
        .wait()
        .for_element(Locator::XPath("//ol[@id='stream']/li[1]"))
        .await?
        .text()
        .await?;
    if !first.starts_with("hendrix created Voodoo Child in blues") {
        return Err(format!("the followed stream starts with {first:?}").into());
    }
    std::fs::write(shots.join("screenshot.png"), c.screenshot().await?)?;

    // One page older.
    let older = c.find(Locator::Css("a.older")).await?;
    let href = older.attr("href").await?.unwrap_or_default();
    if !href.contains("/feed?after=") {
        return Err(format!("the Older link is {href:?}").into());
    }
    older.click().await?;
    c.wait()
        .for_element(Locator::XPath(
            "//ol[@id='stream']/li[1][not(contains(., 'Voodoo Child'))]",
        ))
        .await?;
    let at = c.current_url().await?;
    if !at.as_str().ends_with(&href) {
        return Err(format!("the Older link led to {at}, not {href}").into());
    }
    if c.find_all(Locator::Css("ol#stream > li")).await?.len() < 2 {
        return Err("the older page should show more actions".into());
    }
    std::fs::write(shots.join("older.png"), c.screenshot().await?)?;
    Ok(())
}

/// The number in the bell of the page shown.
async fn bell(c: &Client) -> Result<String> {
    Ok(c.find(Locator::Id("bell-count")).await?.text().await?)
}

/// The front page, loaded anew: its bell must read `count` (`when`: after what, for the
/// error).
async fn front_page_bell(c: &Client, base: &str, count: &str, when: &str) -> Result<()> {
    c.goto(base).await?;
    c.wait().for_element(Locator::Id("stream")).await?;
    let shown = bell(c).await?;
    if shown != count {
        return Err(format!("{when} the bell shows {shown}, not {count}").into());
    }
    Ok(())
}

/// Open the inbox from the bell: the text of its first item.
async fn first_notification(c: &Client) -> Result<String> {
    c.find(Locator::Id("nav-bell")).await?.click().await?;
    Ok(c.wait()
        .for_element(Locator::XPath("//ol[@id='notifications']/li[1]"))
        .await?
        .text()
        .await?)
}

/// Mark the page shown, to tell later that it was not reloaded.
async fn mark_page(c: &Client) -> Result<()> {
    c.execute("window.bellNotReloaded = true; return null;", vec![])
        .await?;
    Ok(())
}

/// Wait until the bell of the page shown (marked with [`mark_page`]) reads `count` — within
/// 2 s, and without a reload: the page's own event stream updates it — or fail.
async fn bell_rings_live(c: &Client, count: &str) -> Result<()> {
    let shows = format!("//span[@id='bell-count' and text()='{count}']");
    c.wait()
        .at_most(Duration::from_secs(2))
        .for_element(Locator::XPath(&shows))
        .await
        .map_err(|error| format!("the bell did not show {count} within 2 s: {error}"))?;
    let not_reloaded = c
        .execute("return window.bellNotReloaded === true;", vec![])
        .await?;
    if not_reloaded != serde_json::Value::Bool(true) {
        return Err("the page with the bell was reloaded".into());
    }
    Ok(())
}

/// Lennon posts; three users like the post, in another browser; lennon's bell, on the page
/// lennon left open, shows 1 (one group) within 2 s without a reload; the inbox reads "… and
/// 1 other liked Wild Haze", the bell shows 0 once it was seen, and a fourth like makes it 1
/// again, live as well.
async fn notifications_scenario(c: &Client, fan: &Client, base: &str, shots: &Path) -> Result<()> {
    c.goto(base).await?;
    c.wait().for_element(Locator::Id("stream")).await?;
    act_as(c, "lennon").await?;
    // The seed left lennon notifications: seeing the inbox marks them seen.
    c.find(Locator::Id("nav-bell")).await?.click().await?;
    c.wait().for_element(Locator::Id("notifications")).await?;
    if bell(c).await? != "0" {
        return Err("the inbox page leaves the bell at 0".into());
    }

    // Lennon posts on the front page.
    c.find(Locator::Id("nav-everyone")).await?.click().await?;
    c.wait().for_element(Locator::Id("post-title")).await?;
    c.find(Locator::Id("post-title"))
        .await?
        .send_keys("Wild Haze")
        .await?;
    c.find(Locator::Id("post-body"))
        .await?
        .send_keys("Purple haze all in my brain.")
        .await?;
    c.find(Locator::Id("post-submit")).await?.click().await?;
    let link = "//ol[@id='stream']/li[1]//a[text()='Wild Haze']";
    let post = c
        .wait()
        .for_element(Locator::XPath(link))
        .await?
        .attr("href")
        .await?
        .ok_or("the new post has no link")?;
    let post = format!("{}{post}", base.trim_end_matches('/'));

    // The others like it in the second browser; lennon's page stays open in the first.
    let like = |who: &'static str| {
        let post = post.clone();
        async move {
            fan.goto(&post).await?;
            fan.wait().for_element(Locator::Id("stream")).await?;
            act_as(fan, who).await?;
            fan.goto(&post).await?;
            fan.wait()
                .for_element(Locator::Id("like"))
                .await?
                .click()
                .await?;
            fan.wait().for_element(Locator::Id("unlike")).await?;
            Result::Ok(())
        }
    };
    mark_page(c).await?;
    for who in ["hendrix", "joplin", "starr"] {
        like(who).await?;
    }
    // Three likes, one group: the open page's bell shows 1, live.
    bell_rings_live(c, "1").await?;

    // .. and so does the next page.
    act_as(c, "lennon").await?;
    front_page_bell(c, base, "1", "after three likes").await?;
    let first = first_notification(c).await?;
    if !first.starts_with("starr, joplin and 1 other liked Wild Haze") {
        return Err(format!("the inbox starts with {first:?}").into());
    }
    std::fs::write(shots.join("notifications.png"), c.screenshot().await?)?;
    // Seen: the bell shows 0, on this page and the next.
    if bell(c).await? != "0" {
        return Err("the inbox, once seen, leaves the bell at 0".into());
    }
    front_page_bell(c, base, "0", "after the inbox was seen").await?;

    // A fourth like: the group is unseen again, on the open page at once.
    mark_page(c).await?;
    like("morrison").await?;
    bell_rings_live(c, "1").await?;
    act_as(c, "lennon").await?;
    front_page_bell(c, base, "1", "after a fourth like").await?;
    let first = first_notification(c).await?;
    if !first.starts_with("morrison, starr and 2 others liked Wild Haze") {
        return Err(format!("after the fourth like the inbox starts with {first:?}").into());
    }
    Ok(())
}

/// The source comment of the followed stream page shown: `redis`, `redis+sql` or `sql`.
async fn feed_source(c: &Client) -> Result<String> {
    let html = c.source().await?;
    let source = html
        .split("<!-- stream source: ")
        .nth(1)
        .and_then(|rest| rest.split(" -->").next())
        .ok_or("the feed page names no stream source")?;
    Ok(source.to_owned())
}

/// The text of the followed stream's items.
async fn feed_items(c: &Client) -> Result<Vec<String>> {
    let mut items = Vec::new();
    for item in c.find_all(Locator::Css("ol#stream > li")).await? {
        items.push(item.text().await?);
    }
    Ok(items)
}

/// Lennon's followed stream: from SQL while the timeline is cold, from Redis once it is
/// built (the page is reloaded until then: the build runs in the background), the same
/// items either way; from SQL, still the same, once Redis is killed.
async fn timelines_scenario(
    c: &Client,
    base: &str,
    shots: &Path,
    server: &std::sync::Mutex<RedisServer>,
) -> Result<()> {
    c.goto(base).await?;
    c.wait().for_element(Locator::Id("stream")).await?;
    act_as(c, "lennon").await?;
    c.find(Locator::Id("nav-feed")).await?.click().await?;
    c.wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Followed by')]"))
        .await?;
    if feed_source(c).await? != "sql" {
        return Err("the first visit finds the timeline cold".into());
    }
    let from_sql = feed_items(c).await?;
    if from_sql.is_empty() {
        return Err("the seeded followed stream is empty".into());
    }
    let mut source = String::new();
    for _ in 0..50 {
        c.refresh().await?;
        c.wait().for_element(Locator::Id("stream")).await?;
        source = feed_source(c).await?;
        if source == "redis" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if source != "redis" {
        return Err(format!("the timeline was never built: the page says {source}").into());
    }
    if feed_items(c).await? != from_sql {
        return Err("the timeline's page differs from the SQL page".into());
    }
    std::fs::write(shots.join("redis.png"), c.screenshot().await?)?;

    server.lock().map_err(|_| "poisoned")?.kill();
    c.refresh().await?;
    c.wait().for_element(Locator::Id("stream")).await?;
    if feed_source(c).await? != "sql" || feed_items(c).await? != from_sql {
        return Err("with Redis dead, SQL serves the same page".into());
    }
    std::fs::write(shots.join("redis-down.png"), c.screenshot().await?)?;
    Ok(())
}

/// Choose `username` in the "Acting as" chooser and wait for the page that shows it chosen.
async fn act_as(c: &Client, username: &str) -> Result<()> {
    c.find(Locator::Id("act-as-user"))
        .await?
        .select_by_label(username)
        .await?;
    // The chooser submits itself on change; without scripts, the button does it.
    let chosen = format!("//select[@id='act-as-user']/option[@selected and text()='{username}']");
    if c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::XPath(&chosen))
        .await
        .is_err()
    {
        c.find(Locator::Id("act-as-submit")).await?.click().await?;
        c.wait().for_element(Locator::XPath(&chosen)).await?;
    }
    Ok(())
}

/// The application binary on a free port with a fresh SQLite file; its URL once it listens.
async fn start_app(scratch: &Path, args: &[String]) -> Result<(Child, String)> {
    let database = format!("sqlite://{}?mode=rwc", scratch.join("e2e.sqlite").display());
    let mut app = Command::new(env!("CARGO_BIN_EXE_test-project"))
        .args(["--port", "0", "--database-url", &database])
        .args(args)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(app.stdout.take().expect("piped")).lines();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(at) = line.find("http://") {
                return Ok(line[at..].trim().to_owned());
            }
        }
        Err::<_, std::io::Error>(std::io::Error::other("the app exited before listening"))
    })
    .await??;
    // Keep reading, so the app never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((app, url))
}

/// ChromeDriver on a free port, once it accepts connections.
async fn start_chromedriver(chromedriver: &Path) -> Result<(Child, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let driver = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok((driver, format!("http://127.0.0.1:{port}")));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("chromedriver did not listen on port {port} within 20 s").into())
}
