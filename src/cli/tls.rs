//! `quay tls show [--ca]` and `quay tls rotate`: the install's certificates as clients see them,
//! and a new server certificate from the install's CA (clients that trust `rootCA.pem` keep
//! working; a running server serves it within `tls::WATCH_SECONDS`).

use anyhow::Context as _;
use clap::Subcommand;
use serde_json::json;

use super::{Create, Source, load};
use crate::tls::{self, CertificateInfo, TlsFiles};

#[derive(Subcommand)]
pub enum TlsCommand {
    /// The served certificate (names, serial, expiry, made by quay or custom) and any problem
    /// with it; with --ca, the CA to trust (PEM on standard output) and how to trust it.
    #[command(after_help = "Example: quay tls show --ca > registry-ca.crt")]
    Show {
        #[arg(long)]
        ca: bool,
    },
    /// Issue a new server certificate from the install's CA now (certificates quay made only).
    #[command(after_help = "Example: sudo quay tls rotate")]
    Rotate,
}

pub(super) fn run(command: TlsCommand, source: &Source) -> anyhow::Result<()> {
    let default_hostname = format!("{}:8443", crate::util::hostname());
    let (loaded, _) = load(source, &default_hostname, Create::Refused)?;
    // The names checked are those clients use: `SERVER_HOSTNAME` as configured.
    let files = loaded.tls_files();
    let hostname = loaded.config.server_hostname.clone();
    let names = tls::certificate_names(&hostname, None);
    match command {
        TlsCommand::Rotate => {
            tls::rotate(&files, &names)?;
            let info = tls::inspect(&files.cert)?;
            if source.json {
                println!("{}", serde_json::to_string_pretty(&certificate_json(&files, &info))?);
            } else {
                println!(
                    "issued {} (serial {}, names {}, until {}); a running server serves it within {} seconds",
                    files.cert.display(),
                    info.serial,
                    info.names.join(", "),
                    info.not_after.date_naive(),
                    tls::WATCH_SECONDS
                );
            }
            Ok(())
        }
        TlsCommand::Show { ca: true } => show_ca(&files, &hostname),
        // A certificate must hold the name clients use; `localhost` and the loopback addresses
        // are quay's own additions, not a requirement of a custom certificate.
        TlsCommand::Show { ca: false } => show(&files, &names[..1], source.json),
    }
}

fn certificate_json(files: &TlsFiles, info: &CertificateInfo) -> serde_json::Value {
    json!({
        "path": files.cert,
        "made_by_quay": files.marker.exists(),
        "names": info.names,
        "serial": info.serial,
        "not_after": info.not_after.to_rfc3339(),
        "days_left": info.days_left(),
    })
}

fn show(files: &TlsFiles, names: &[String], as_json: bool) -> anyhow::Result<()> {
    let leaf = tls::inspect(&files.cert).with_context(|| "no served certificate; `quay serve` makes one")?;
    let ca = files.ca_cert.exists().then(|| tls::inspect(&files.ca_cert)).transpose()?;
    let problems = tls::problems(files, names);
    if as_json {
        let ca = ca
            .map(|c| json!({"path": files.ca_cert, "not_after": c.not_after.to_rfc3339(), "days_left": c.days_left()}));
        let out = json!({"certificate": certificate_json(files, &leaf), "ca": ca, "problems": problems});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let made = if files.marker.exists() { "made by quay from its local CA" } else { "custom: quay never rewrites it" };
    println!("certificate: {} ({made})", files.cert.display());
    println!("names:       {}", leaf.names.join(", "));
    println!("serial:      {}", leaf.serial);
    println!("expires:     {} ({} days left)", leaf.not_after.date_naive(), leaf.days_left());
    if let Some(ca) = ca {
        println!(
            "CA:          {}, expires {} ({} days left)",
            files.ca_cert.display(),
            ca.not_after.date_naive(),
            ca.days_left()
        );
    }
    for p in &problems {
        println!("problem:     {p}");
    }
    Ok(())
}

/// The CA's PEM on standard output (so that `> file` keeps only it), how to trust it on standard
/// error.
fn show_ca(files: &TlsFiles, hostname: &str) -> anyhow::Result<()> {
    let pem = std::fs::read_to_string(&files.ca_cert).with_context(|| {
        format!("no local CA at {}: the served certificate is custom, so trust its issuer", files.ca_cert.display())
    })?;
    print!("{pem}");
    // Clients name the registry as configured (`HOST:PORT`, or `HOST` on 443): so do the paths.
    let host = hostname;
    let ca = files.ca_cert.display();
    eprintln!("Trust it on a RHEL or Fedora host (every program there):");
    eprintln!(
        "  sudo cp {ca} /etc/pki/ca-trust/source/anchors/quay-{}.pem && sudo update-ca-trust",
        tls::host_of(hostname)
    );
    eprintln!("Trust it for podman, skopeo and buildah (this registry only):");
    eprintln!("  sudo mkdir -p /etc/containers/certs.d/{host} && sudo cp {ca} /etc/containers/certs.d/{host}/ca.crt");
    eprintln!("Trust it in OpenShift (the cluster's image configuration):");
    eprintln!("  oc create configmap registry-ca -n openshift-config --from-file={}={ca}", host.replace(':', ".."));
    eprintln!(
        "  oc patch image.config.openshift.io/cluster --type=merge -p '{{\"spec\":{{\"additionalTrustedCA\":{{\"name\":\"registry-ca\"}}}}}}'"
    );
    Ok(())
}
