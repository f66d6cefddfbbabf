import type { WorkflowTemplate } from '../../spec/model/workflow.js';
import { STATE_DIR_HELP } from '../parse-command-args.js';
import { clusterStoreHelp, storedObjectCommands } from '../stored-object-commands.js';
import { subcommandGroup } from '../subcommand-group.js';

const USAGE = `Usage: skiff template create FILE...      store the WorkflowTemplates in FILEs (linted first)
       skiff template list                  list the stored WorkflowTemplates
       skiff template get NAME...           show WorkflowTemplates
       skiff template delete NAME... | --all
       skiff template lint FILE...          lint the WorkflowTemplates in FILEs

Manages WorkflowTemplates as argo template does, over the objects skiff apply stores (the same
store: skiff apply updates one, template create refuses one that exists), or with --kubeconfig or
--context over a cluster's. Runs find them by templateRef and workflowTemplateRef; skiff submit
--from workflowtemplate/NAME runs one. A file that names its namespace is created there; with -n
naming another, it is refused. lint reads files only.

Options:
  -n, --namespace NS      the namespace (default: default; in a cluster, the context's)
  -A, --all-namespaces    list: every namespace, with a NAMESPACE column
  -o, --output FORMAT     create, list: name; get: json, yaml or name
      --all               delete: every WorkflowTemplate of the namespace
${STATE_DIR_HELP}
${clusterStoreHelp('WorkflowTemplates')}
  -h, --help              show this help

Exit status: 0 done, 1 a lint error or a template that is missing (or exists, for create),
2 usage error.`;

export const templateCommand = subcommandGroup(
  'template',
  'create, list, get, delete and lint stored WorkflowTemplates',
  USAGE,
  storedObjectCommands<WorkflowTemplate>({
    kind: 'WorkflowTemplate',
    lintKinds: 'workflowtemplates',
    columns: [],
    row: () => [],
    details: () => [],
  }),
);
