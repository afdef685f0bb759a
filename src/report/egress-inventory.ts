import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { EgressInventoryDocument } from './inventory-document';
import { assembleInventory, INVENTORY_KIND, INVENTORY_VERSION, InventoryFacts } from './inventory-facts';
import { factsFromManifests, readManifestFiles, sourceManifests } from './inventory-from-manifests';
import { factsFromTree } from './inventory-from-tree';
import { renderMarkdown } from './inventory-markdown';
import { renderMermaid } from './inventory-mermaid';

/**
 * The renderings of an egress inventory.
 */
export enum EgressInventoryFormat {
  /** The machine-readable allow-list, `egress-inventory.json` (`EgressInventoryDocument`). */
  JSON = 'JSON',
  /** Tables for review, with the flowchart, `egress-inventory.md`. */
  MARKDOWN = 'MARKDOWN',
  /** The flowchart alone, workload → sidecar → egress gateway → host, `egress-inventory.mmd`. */
  MERMAID = 'MERMAID',
}

const FILE_EXTENSIONS: Record<EgressInventoryFormat, string> = {
  [EgressInventoryFormat.JSON]: 'json',
  [EgressInventoryFormat.MARKDOWN]: 'md',
  [EgressInventoryFormat.MERMAID]: 'mmd',
};

/**
 * What a mesh may reach and who may use it: every external host, its ports, where its TLS is opened, whether it
 * leaves through an egress gateway or directly from sidecars, and the identities each gateway admits, with their
 * request conditions. Deterministic (every list sorted, no timestamps), so it diffs cleanly in review.
 *
 * Take it from a construct tree (`EgressInventory.of(app)`), or from manifests already synthesized or written by
 * hand (`EgressInventory.fromFiles`, and the `cdk8s-istio-inventory` command): both read the same facts into one
 * shape, and agree except for `declaredBy`, the construct paths only a tree knows (`withoutProvenance()` drops
 * them).
 *
 * ```ts
 * app.synth();
 * EgressInventory.of(app).writeTo(app.outdir);   // egress-inventory.json, .md and .mmd beside the manifests
 * ```
 */
export class EgressInventory {
  /** The document's `kind`. */
  public static readonly KIND: string = INVENTORY_KIND;
  /** The document's format `version`. */
  public static readonly VERSION: number = INVENTORY_VERSION;

  /**
   * The inventory of everything declared under `scope` (pass the App for the whole app). It is read whenever it is
   * rendered, not when this is called, so it is the final state of the tree whatever the order of the calls.
   */
  public static of(scope: IConstruct): EgressInventory {
    return new EgressInventory(() => factsFromTree(scope), true);
  }

  /** The inventory of manifests already parsed (objects as `kubectl get -o json` or `Testing.synth` give them). */
  public static fromManifests(manifests: any[]): EgressInventory {
    const facts = factsFromManifests(sourceManifests(manifests));
    return new EgressInventory(() => facts, true);
  }

  /**
   * The inventory of YAML manifest files (several documents a file; `kind: List` is unwrapped; `-` reads standard
   * input). Throws, naming the file, on a file that cannot be read or parsed, and on routes whose gateway or
   * ServiceEntry is in none of the files.
   */
  public static fromFiles(paths: string[]): EgressInventory {
    if (paths.length === 0) {
      throw new Error('EgressInventory.fromFiles: no manifest files given; pass the *.k8s.yaml files cdk8s synth wrote');
    }
    const facts = factsFromManifests(readManifestFiles(paths));
    return new EgressInventory(() => facts, true);
  }

  /** The file an inventory is written to in a format: `egress-inventory.json`, `.md` or `.mmd`. */
  public static fileNameOf(format: EgressInventoryFormat): string {
    return `egress-inventory.${FILE_EXTENSIONS[format]}`;
  }

  private constructor(private readonly facts: () => InventoryFacts, private readonly provenance: boolean) {}

  /** The machine-readable allow-list. */
  public get document(): EgressInventoryDocument {
    const doc = assembleInventory(this.facts());
    return this.provenance ? doc : withoutDeclaredBy(doc);
  }

  /** The same inventory without `declaredBy`, which manifests cannot tell: what both sources agree on. */
  public withoutProvenance(): EgressInventory {
    return new EgressInventory(this.facts, false);
  }

  /** The inventory in one format, as it is written to its file. */
  public render(format: EgressInventoryFormat): string {
    return renderAs(this.document, format);
  }

  /**
   * Writes the inventory into `directory` (created if missing), one file a format, and returns the paths written.
   * Call it after the app is complete; before or after `app.synth()` makes no difference, since synthesis changes no
   * intent and only adds files beside these.
   *
   * @param formats the formats to write. @default - JSON, Markdown and Mermaid
   */
  public writeTo(directory: string, formats?: EgressInventoryFormat[]): string[] {
    const chosen = formats ?? [EgressInventoryFormat.JSON, EgressInventoryFormat.MARKDOWN, EgressInventoryFormat.MERMAID];
    if (chosen.length === 0) {
      throw new Error(`EgressInventory.writeTo(${directory}): an empty list of formats writes nothing; leave it out to write all three`);
    }
    fs.mkdirSync(directory, { recursive: true });
    // One reading of the app for every format written.
    const doc = this.document;
    return chosen.map(format => {
      const file = path.join(directory, EgressInventory.fileNameOf(format));
      fs.writeFileSync(file, renderAs(doc, format));
      return file;
    });
  }
}

function renderAs(doc: EgressInventoryDocument, format: EgressInventoryFormat): string {
  switch (format) {
    case EgressInventoryFormat.JSON: return `${JSON.stringify(doc, undefined, 2)}\n`;
    case EgressInventoryFormat.MARKDOWN: return renderMarkdown(doc);
    case EgressInventoryFormat.MERMAID: return renderMermaid(doc);
    default: throw new Error(`EgressInventory.render: unknown format '${format}'; use one of ${Object.values(EgressInventoryFormat).join(', ')}`);
  }
}

function withoutDeclaredBy(doc: EgressInventoryDocument): EgressInventoryDocument {
  return {
    ...doc,
    hosts: doc.hosts.map(({ declaredBy: _host, ...host }) => ({
      ...host,
      ports: host.ports.map(({ declaredBy: _port, ...port }) => port),
      grants: host.grants.map(({ declaredBy: _grant, ...grant }) => grant),
    })),
    kubernetesServices: doc.kubernetesServices.map(({ declaredBy: _service, ...service }) => ({
      ...service,
      ports: service.ports.map(({ declaredBy: _port, ...port }) => port),
    })),
  };
}
