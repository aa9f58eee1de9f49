# 配置错误：src/config/error.rs。

config-unknown-profile = `{ $config }` 中没有名为 `{ $name }` 的配置
config-syntax = `{ $path }`{ $line ->
        [0] {""}
       *[other] { " " }第 { $line } 行第 { $column } 列
    }：{ $kind ->
        [unknown-field] 未知的键 `{ $name }`，可用的键有：{ $expected }
        [unknown-variant] 未知的取值 `{ $name }`，可选的值有：{ $expected }
        [missing-field] 缺少键 `{ $name }`
       *[other] { $message }
    }
config-edit = `{ $path }`：{ $message }
config-invalid-setting = 设置无效：{ $message }
config-timeout-too-long = `timeout` 的值 `{ $timeout }` 超过了 broker 允许的上限
    .hint = 最长 `1d`（在配置文件、`BROKER_TIMEOUT` 或 `--timeout` 中）
config-default-profile-missing = `{ $config }` 中的 `default_profile = "{ $name }"` 指向的配置不存在
config-not-regular-file = 配置文件 `{ $path }` 不是普通文件
    .hint = 请让 `--config` 或 `BROKER_CONFIG` 指向一个 TOML 文件
config-not-utf8 = 无法读取配置文件 `{ $path }`：它不是有效的 UTF-8
config-no-home = 找不到主目录：`{ $var }` 和 `HOME` 都未设置
    .hint = 请设置 `HOME`，或者设置 `BROKER_CONFIG` 和 `BROKER_STATE_DIR`
config-profile-exists = `{ $config }` 中已有配置 `{ $name }`
    .hint = 用 `broker secret set { $name }` 替换它的 Secret Key，或先删除它
config-unknown-profile-in-file = `{ $config }` 中没有名为 `{ $name }` 的配置
config-empty-app-key = `{ $config }` 中的 `{ $key }` 为空
config-two-secret-sources = `{ $config }` 中的配置 `{ $name }` 同时设置了 `secret_key` 和 `secret_key_env`；请只保留一个
config-plaintext-secret = `{ $config }` 中的 `{ $key }` 是明文
    .hint = 运行 `broker secret encrypt`，就地加密所有明文密钥
config-expires-in-not-applicable = `{ $key }` 只适用于 { $grants } 配置
config-expires-in-range = `{ $key }` 必须在 1s 到 { $max } 之间
config-preset-not-applicable = `preset = "{ $preset }"`（`{ $key }`）只适用于 { $grants } 配置
config-policy-not-json = `{ $config }` 中的 `{ $key }` 必须是 ACL：以文本写出的 JSON 对象
config-invalid-env-name = `{ $config }` 中的 `{ $key }` 不是合法的环境变量名
config-hook-empty-run = `{ $config }` 中的 `{ $key }` 的 `run` 为空
config-hook-timeout-too-long = `{ $config }` 中有钩子的 `timeout` 超过了 `1d`
config-hook-no-events = `{ $config }` 中的 `{ $key }` 的 `on` 列表为空
    .hint = 可用事件：rotate、login、refresh_failed、test
config-hook-invalid-env-name = `{ $config }` 中的 `{ $key }` 设置了 `env.{ $var }`，这不是合法的变量名
config-hook-zero-timeout = `{ $config }` 中的 `{ $key }` 的 `timeout` 为零
config-sink-overwrites = sink `{ $sink }` { $what ->
        [config] 就是配置文件本身
        [identity] 是一个 age 身份文件
       *[state-folder] 位于 broker 的状态目录中
    }：把令牌写到那里会毁掉它
    .hint = 请为 sink 另选一个专用路径
config-invalid-sink-mode = sink 权限 `{ $mode }` 无效：应为 `0600` 这样的八进制权限位
config-env-template = `{ $config }` 的 `{ $key }` 中{ $why ->
        [unclosed] 有未闭合的 `{"{"}`（字面的花括号请写作 `{"{{"}`）
       *[unknown-placeholder] 有未知的占位符 `{"{"}{ $placeholder }{"}"}`
    }
    .hint = 可用占位符：{ $placeholders }
config-invalid-endpoint = 端点 `{ $endpoint }` 无效：{ $why ->
        [credentials] URL 中不允许包含凭据
        [path] 不允许包含路径、查询参数或片段
        [no-host] 缺少主机名
        [plain-http] 只有回环地址（127.0.0.0/8、::1、localhost）才能使用明文 `http://`
        [scheme] 不支持的协议 `{ $detail }`
       *[unparsable] { $detail }
    }
    .hint = 请写协议、主机名和可选的端口，例如 `https://openapi.baidu.com` 或 `http://127.0.0.1:8080`
