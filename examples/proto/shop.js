/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const shop = $root.shop = (() => {

    /**
     * Namespace shop.
     * @exports shop
     * @namespace
     */
    const shop = {};

    /**
     * Side enum.
     * @name shop.Side
     * @enum {number}
     * @property {number} BUY=0 BUY value
     * @property {number} SELL=1 SELL value
     */
    shop.Side = (function() {
        const valuesById = {}, values = Object.create(valuesById);
        values[valuesById[0] = "BUY"] = 0;
        values[valuesById[1] = "SELL"] = 1;
        return values;
    })();

    shop.Order = (function() {

        /**
         * Properties of an Order.
         * @memberof shop
         * @interface IOrder
         * @property {string|null} [id] Order id
         * @property {shop.Side|null} [side] Order side
         * @property {number|null} [quantity] Order quantity
         * @property {number|Long|null} [amountCents] Order amountCents
         * @property {number|null} [price] Order price
         * @property {Array.<string>|null} [tags] Order tags
         */

        /**
         * Constructs a new Order.
         * @memberof shop
         * @classdesc Represents an Order.
         * @implements IOrder
         * @constructor
         * @param {shop.IOrder=} [properties] Properties to set
         */
        function Order(properties) {
            this.tags = [];
            if (properties)
                for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        }

        /**
         * Order id.
         * @member {string} id
         * @memberof shop.Order
         * @instance
         */
        Order.prototype.id = "";

        /**
         * Order side.
         * @member {shop.Side} side
         * @memberof shop.Order
         * @instance
         */
        Order.prototype.side = 0;

        /**
         * Order quantity.
         * @member {number} quantity
         * @memberof shop.Order
         * @instance
         */
        Order.prototype.quantity = 0;

        /**
         * Order amountCents.
         * @member {number|Long} amountCents
         * @memberof shop.Order
         * @instance
         */
        Order.prototype.amountCents = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

        /**
         * Order price.
         * @member {number} price
         * @memberof shop.Order
         * @instance
         */
        Order.prototype.price = 0;

        /**
         * Order tags.
         * @member {Array.<string>} tags
         * @memberof shop.Order
         * @instance
         */
        Order.prototype.tags = $util.emptyArray;

        /**
         * Encodes the specified Order message. Does not implicitly {@link shop.Order.verify|verify} messages.
         * @function encode
         * @memberof shop.Order
         * @static
         * @param {shop.IOrder} message Order message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        Order.encode = function encode(message, writer, q) {
            if (!writer)
                writer = $Writer.create();
            if (q === undefined)
                q = 0;
            if (q > $util.recursionLimit)
                throw Error("max depth exceeded");
            if (message.id != null && Object.hasOwnProperty.call(message, "id"))
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.id);
            if (message.side != null && Object.hasOwnProperty.call(message, "side"))
                writer.uint32(/* id 2, wireType 0 =*/16).int32(message.side);
            if (message.quantity != null && Object.hasOwnProperty.call(message, "quantity"))
                writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.quantity);
            if (message.amountCents != null && Object.hasOwnProperty.call(message, "amountCents"))
                writer.uint32(/* id 4, wireType 0 =*/32).int64(message.amountCents);
            if (message.price != null && Object.hasOwnProperty.call(message, "price"))
                writer.uint32(/* id 5, wireType 1 =*/41).double(message.price);
            if (message.tags != null && message.tags.length)
                for (let i = 0; i < message.tags.length; ++i)
                    writer.uint32(/* id 6, wireType 2 =*/50).string(message.tags[i]);
            return writer;
        };

        /**
         * Decodes an Order message from the specified reader or buffer.
         * @function decode
         * @memberof shop.Order
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {shop.Order} Order
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        Order.decode = function decode(reader, length, error, long) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (long === undefined)
                long = 0;
            if (long > $Reader.recursionLimit)
                throw Error("maximum nesting depth exceeded");
            let end, message;
            if (length === undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = new $root.shop.Order();
            while (reader.pos < end) {
                let tag = reader.uint32();
                if (tag === error)
                    break;
                switch (tag >>> 3) {
                case 1: {
                        message.id = reader.string();
                        break;
                    }
                case 2: {
                        message.side = reader.int32();
                        break;
                    }
                case 3: {
                        message.quantity = reader.uint32();
                        break;
                    }
                case 4: {
                        message.amountCents = reader.int64();
                        break;
                    }
                case 5: {
                        message.price = reader.double();
                        break;
                    }
                case 6: {
                        if (!(message.tags && message.tags.length))
                            message.tags = [];
                        message.tags.push(reader.string());
                        break;
                    }
                default:
                    reader.skipType(tag & 7, long);
                    break;
                }
            }
            if (length !== undefined) {
                if (reader.pos !== end)
                    throw RangeError("index out of range");
                reader.len = length;
            }
            return message;
        };

        /**
         * Verifies an Order message.
         * @function verify
         * @memberof shop.Order
         * @static
         * @param {Object.<string,*>} message Plain object to verify
         * @returns {string|null} `null` if valid, otherwise the reason why it is not
         */
        Order.verify = function verify(message, long) {
            if (typeof message !== "object" || message === null)
                return "object expected";
            if (long === undefined)
                long = 0;
            if (long > $util.recursionLimit)
                return "maximum nesting depth exceeded";
            if (message.id != null && Object.hasOwnProperty.call(message, "id"))
                if (!$util.isString(message.id))
                    return "id: string expected";
            if (message.side != null && Object.hasOwnProperty.call(message, "side"))
                switch (message.side) {
                default:
                    return "side: enum value expected";
                case 0:
                case 1:
                    break;
                }
            if (message.quantity != null && Object.hasOwnProperty.call(message, "quantity"))
                if (!$util.isInteger(message.quantity))
                    return "quantity: integer expected";
            if (message.amountCents != null && Object.hasOwnProperty.call(message, "amountCents"))
                if (!$util.isInteger(message.amountCents) && !(message.amountCents && $util.isInteger(message.amountCents.low) && $util.isInteger(message.amountCents.high)))
                    return "amountCents: integer|Long expected";
            if (message.price != null && Object.hasOwnProperty.call(message, "price"))
                if (typeof message.price !== "number")
                    return "price: number expected";
            if (message.tags != null && Object.hasOwnProperty.call(message, "tags")) {
                if (!Array.isArray(message.tags))
                    return "tags: array expected";
                for (let i = 0; i < message.tags.length; ++i)
                    if (!$util.isString(message.tags[i]))
                        return "tags: string[] expected";
            }
            return null;
        };

        /**
         * Creates an Order message from a plain object. Also converts values to their respective internal types.
         * @function fromObject
         * @memberof shop.Order
         * @static
         * @param {Object.<string,*>} object Plain object
         * @returns {shop.Order} Order
         */
        Order.fromObject = function fromObject(object, long) {
            if (object instanceof $root.shop.Order)
                return object;
            if (!$util.isObject(object))
                throw TypeError(".shop.Order: object expected");
            if (long === undefined)
                long = 0;
            if (long > $util.recursionLimit)
                throw Error("maximum nesting depth exceeded");
            let message = new $root.shop.Order();
            if (object.id != null)
                message.id = String(object.id);
            switch (object.side) {
            default:
                if (typeof object.side === "number") {
                    message.side = object.side;
                    break;
                }
                break;
            case "BUY":
            case 0:
                message.side = 0;
                break;
            case "SELL":
            case 1:
                message.side = 1;
                break;
            }
            if (object.quantity != null)
                message.quantity = object.quantity >>> 0;
            if (object.amountCents != null)
                if ($util.Long)
                    message.amountCents = $util.Long.fromValue(object.amountCents, false);
                else if (typeof object.amountCents === "string")
                    message.amountCents = parseInt(object.amountCents, 10);
                else if (typeof object.amountCents === "number")
                    message.amountCents = object.amountCents;
                else if (typeof object.amountCents === "object")
                    message.amountCents = new $util.LongBits(object.amountCents.low >>> 0, object.amountCents.high >>> 0).toNumber();
            if (object.price != null)
                message.price = Number(object.price);
            if (object.tags) {
                if (!Array.isArray(object.tags))
                    throw TypeError(".shop.Order.tags: array expected");
                message.tags = [];
                for (let i = 0; i < object.tags.length; ++i)
                    message.tags[i] = String(object.tags[i]);
            }
            return message;
        };

        /**
         * Creates a plain object from an Order message. Also converts values to other types if specified.
         * @function toObject
         * @memberof shop.Order
         * @static
         * @param {shop.Order} message Order
         * @param {$protobuf.IConversionOptions} [options] Conversion options
         * @returns {Object.<string,*>} Plain object
         */
        Order.toObject = function toObject(message, options, q) {
            if (!options)
                options = {};
            if (q === undefined)
                q = 0;
            if (q > $util.recursionLimit)
                throw Error("max depth exceeded");
            let object = {};
            if (options.arrays || options.defaults)
                object.tags = [];
            if (options.defaults) {
                object.id = "";
                object.side = options.enums === String ? "BUY" : 0;
                object.quantity = 0;
                if ($util.Long) {
                    let long = new $util.Long(0, 0, false);
                    object.amountCents = options.longs === String ? long.toString() : options.longs === Number ? long.toNumber() : typeof BigInt !== "undefined" && options.longs === BigInt ? long.toBigInt() : long;
                } else
                    object.amountCents = options.longs === String ? "0" : typeof BigInt !== "undefined" && options.longs === BigInt ? BigInt("0") : 0;
                object.price = 0;
            }
            if (message.id != null && Object.hasOwnProperty.call(message, "id"))
                object.id = message.id;
            if (message.side != null && Object.hasOwnProperty.call(message, "side"))
                object.side = options.enums === String ? $root.shop.Side[message.side] === undefined ? message.side : $root.shop.Side[message.side] : message.side;
            if (message.quantity != null && Object.hasOwnProperty.call(message, "quantity"))
                object.quantity = message.quantity;
            if (message.amountCents != null && Object.hasOwnProperty.call(message, "amountCents"))
                if (typeof BigInt !== "undefined" && options.longs === BigInt)
                    object.amountCents = typeof message.amountCents === "number" ? BigInt(message.amountCents) : $util.Long.fromBits(message.amountCents.low >>> 0, message.amountCents.high >>> 0, false).toBigInt();
                else if (typeof message.amountCents === "number")
                    object.amountCents = options.longs === String ? String(message.amountCents) : message.amountCents;
                else
                    object.amountCents = options.longs === String ? $util.Long.prototype.toString.call(message.amountCents) : options.longs === Number ? new $util.LongBits(message.amountCents.low >>> 0, message.amountCents.high >>> 0).toNumber() : message.amountCents;
            if (message.price != null && Object.hasOwnProperty.call(message, "price"))
                object.price = options.json && !isFinite(message.price) ? String(message.price) : message.price;
            if (message.tags && message.tags.length) {
                object.tags = [];
                for (let j = 0; j < message.tags.length; ++j)
                    object.tags[j] = message.tags[j];
            }
            return object;
        };

        /**
         * Converts this Order to JSON.
         * @function toJSON
         * @memberof shop.Order
         * @instance
         * @returns {Object.<string,*>} JSON object
         */
        Order.prototype.toJSON = function toJSON() {
            return this.constructor.toObject(this, $protobuf.util.toJSONOptions);
        };

        return Order;
    })();

    return shop;
})();

export { $root as default };
